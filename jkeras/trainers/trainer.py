"""The Keras training API: `compile`, `fit`, `evaluate`, `predict`, the `*_on_batch` methods,
the metrics, and the pure steps a model may override (`train_step`, `test_step`,
`predict_step`, `compute_loss`, Keras 3's JAX signatures).

The training state is the tuple Keras 3's JAX trainer uses:
`(trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables)`, each a
list of arrays (the RNG is the seed generators' states, inside the non-trainable list). It is
read from the objects once at the start of each epoch, threaded through the jitted steps
(training donates it), and written back into the objects at the end of the epoch, before a
user callback's batch hook runs, and on any other way out of `fit` (`state_sync`).

The other jobs live beside this module: `compiled_steps` wraps the pure steps into the jitted
variants (batch gathered on the device, fused loops, padded batches), `epoch_plan` decides which
steps each compiled call runs on which rows and moves the data, and `state_sync` reads and
writes the state.
"""

import contextlib
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from jkeras import config as jkeras_config
from jkeras import optimizers as optimizers_module
from jkeras.callbacks.callback import CallbackList, overrides_batch_hooks
from jkeras.callbacks.history import History
from jkeras.callbacks.progbar_logger import ProgbarLogger
from jkeras.core.host_staged import HostStaged
from jkeras.core.stateless_scope import StatelessScope
from jkeras.distribution import distribution_lib
from jkeras.metrics import Mean
from jkeras.trainers import (
    batch_padding,
    batch_sources,
    compile_ahead,
    compile_config,
    epoch_plan,
    host_checks,
    state_sync,
)
from jkeras.trainers import data as data_module
from jkeras.trainers.compile_utils import (
    CompiledLoss,
    CompiledMetrics,
    CompileMetrics,
    flatten_outputs,
    logs_as_list,
)
from jkeras.trainers.state_tree import StateTree
from jkeras.trainers.step_functions import StepFunctions
from jkeras.utils.x_y_sample_weight import unpack_x_y_sample_weight


class Trainer(StateTree, StepFunctions):
    """Mixin giving `Model` the Keras training API."""

    # Compiled steps, their trace counts, the output structure and the forward pass's losses:
    # not searched for sublayers or variables (see `Layer.untracked_attributes`).
    untracked_attributes = ("_jit", "_pads_answers", "_trace_counts", "_output_spec",
                            "_losses_override", "_active_sync", "train_function",
                            "test_function", "predict_function", "_loss_tracker",
                            "_compile_metrics_entry")

    def _init_trainer(self):
        self.compiled = False
        self.run_eagerly = False
        self.optimizer = None
        self.history = None
        self.stop_training = False
        self._in_fit = False
        self._forget_compiled_steps()
        self.train_function = self.test_function = self.predict_function = None
        self.jit_compile = True
        self.loss = None
        self._trace_counts = {"train": 0, "test": 0, "predict": 0}
        self._loss_tracker = Mean(name="loss")
        self._output_spec = None
        self._losses_override = None
        # The epoch the next `fit` starts at, when a callback's `on_train_begin` resumes an
        # interrupted run (`BackupAndRestore`); None: `fit`'s `initial_epoch`.
        self.resume_epoch = None
        self.steps_per_execution = 1

    # ---------------------------------------------------------------------- compile

    def compile(
        self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
        weighted_metrics=None, run_eagerly=False, steps_per_execution="auto", jit_compile=True,
        auto_scale_loss=True,
    ):
        """Configure training.

        Args:
            optimizer: name (`"rmsprop"`, `"adam"`, ...) or `jkeras.optimizers.Optimizer`.
            loss: name, `Loss` instance or `(y_true, y_pred) -> per-sample loss` function.
            loss_weights: scalar weight of the loss.
            metrics: list of metric names, `Metric`s or functions; `"accuracy"` picks the
                variant that fits the targets' shape (Keras's rule). They ignore
                `sample_weight`/`class_weight`.
            weighted_metrics: metrics like `metrics`, weighted by `sample_weight` or
                `class_weight`; one whose name an unweighted metric has is logged as
                `weighted_<name>`.
            run_eagerly: run the steps without `jax.jit` (for debugging).
            steps_per_execution: steps fused into one compiled call, an int >= 1 or `"auto"`
                (the default; Keras 3's default is 1). An int keeps Keras's meaning: a loop on
                the device over that many batches of the device-resident dataset (`fit` on
                arrays), or a `lax.scan` over that many host batches stacked and transferred
                together (generators, evaluate, predict); batch-level callbacks then run once
                per execution, with the indices of its first and last batch and the logs after
                its last batch. `"auto"` fuses only where nothing a user can observe changes:
                training runs about a twentieth of an epoch per call, unless a user callback
                defines a batch-level hook (then every batch is its own call, so the hook sees
                each one), the model runs eagerly, or it has a recurrent layer on the CPU
                backend; metrics, History, checkpoints, `on_epoch_*` hooks and the epoch's logs
                are those of one step per call, and the progress bar moves after each call.
                Evaluation and prediction fuse on device-resident (JAX array) data only.
            jit_compile: compile the steps with XLA (default); False is the same as
                `run_eagerly=True`.
            auto_scale_loss: if True (default) and the model's dtype policy is
                `"mixed_float16"`, wrap the optimizer in a `LossScaleOptimizer`.
        """
        self.steps_per_execution = epoch_plan.check_steps_per_execution(steps_per_execution)
        self.optimizer = optimizers_module.get(optimizer)
        if (
            auto_scale_loss
            and self.dtype_policy.name == "mixed_float16"
            and self.optimizer is not None
            and not isinstance(self.optimizer, optimizers_module.LossScaleOptimizer)
        ):
            # As Keras 3: float16 gradients need dynamic loss scaling.
            self.optimizer = optimizers_module.LossScaleOptimizer(
                self.optimizer, name="loss_scale_optimizer"
            )
        self._compile_loss = CompiledLoss(loss, loss_weights) if loss is not None else None
        self._compile_metrics = CompiledMetrics(metrics)
        self._compile_weighted_metrics = CompiledMetrics(weighted_metrics, weighted=True)
        # As Keras 3: `model.metrics` holds `compile_metrics` when metrics were given.
        self._compile_metrics_entry = (
            CompileMetrics(self._compile_metrics, self._compile_weighted_metrics)
            if metrics is not None or weighted_metrics is not None else None)
        self.run_eagerly = bool(run_eagerly) or not jit_compile
        self.jit_compile = not self.run_eagerly
        self.compiled = True
        self.loss = loss
        self._forget_compiled_steps()
        self.train_function = self.test_function = self.predict_function = None

    def get_compile_config(self):
        """The compile arguments in Keras 3's serialized form (`{}` before `compile`)."""
        return compile_config.compile_config(self) if self.compiled else {}

    def compile_from_config(self, config):
        """Compile with `get_compile_config()`'s output; custom losses, metrics and optimizers
        are found among the registered and `custom_object_scope` objects."""
        compile_config.compile_from_config(self, config)

    def _assert_compiled(self):
        if not getattr(self, "compiled", False):
            raise ValueError("You must call `compile()` before using the model.")

    @property
    def losses(self):
        """`Layer.losses`; while a step computes its loss (`compute_loss`), the losses of that
        step's pure forward pass (as Keras)."""
        if getattr(self, "_losses_override", None) is not None:
            return list(self._losses_override)
        return super().losses

    # ----------------------------------------------------------------------- metrics

    @property
    def metrics(self):
        """As Keras 3: the loss tracker, `compile_metrics` (a `CompileMetrics` holding the
        compiled and weighted metrics, when `compile` got any), the per-output loss trackers
        (once built), then the metrics the model's attributes and layers hold."""
        result = [self._loss_tracker]
        if getattr(self, "compiled", False):
            if self._compile_metrics_entry is not None:
                result.append(self._compile_metrics_entry)
            if self._compile_loss is not None:
                result += self._compile_loss.metrics
        result += self.own_metrics  # metrics held in attributes, then the sublayers' (not
        for layer in self.descendant_layers():  # nested models'), as Keras 3 lists them
            if not isinstance(layer, Trainer):
                result += layer.metrics
        return result

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def _logs_as_list(self, logs):
        return logs_as_list(logs, self.metrics)

    @property
    def metrics_variables(self):
        return [v for m in self.metrics for v in m.variables]

    def reset_metrics(self):
        for metric in self.metrics:
            metric.reset_state()

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The total loss: the compiled loss plus the model's added losses."""
        del x, training
        losses = []
        if self._compile_loss is not None:
            losses.append(self._compile_loss(y, y_pred, sample_weight))
        losses += [jnp.sum(loss) for loss in self.losses]
        if not losses:
            return jnp.zeros(())
        return losses[0] if len(losses) == 1 else sum(losses)

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the compiled metrics and return every metric's current result."""
        del x
        if self._compile_metrics_entry is not None:
            self._compile_metrics_entry.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
        """`{name: value}` of `metrics`' results, a dict result (`compile_metrics`) merged in."""
        logs = {}
        for metric in self.metrics:
            result = metric.result()
            logs.update(result if isinstance(result, dict) else {metric.name: result})
        return logs

    # ------------------------------------------------------------------- pure steps

    def compute_loss_and_updates(
        self, trainable_variables, non_trainable_variables, metrics_variables, x, y,
        sample_weight, training=False, optimizer_variables=None,
    ):
        """Pure forward pass and loss, for `jax.value_and_grad` (Keras 3's JAX name).

        When training, the loss is scaled for differentiation as Keras 3 does
        (`optimizer.scale_loss`: a `LossScaleOptimizer`'s current scale, from
        `optimizer_variables`, or `loss_scale_factor`); unlike Keras, the returned value stays
        the unscaled loss and only its gradients are scaled.
        """
        y_pred, non_trainable_variables, losses = self.stateless_call(
            trainable_variables, non_trainable_variables, x, return_losses=True,
            training=training,
        )
        mapping = list(zip(self.metrics_variables, metrics_variables))
        mapping += list(zip(self.trainable_variables, trainable_variables))
        # `self.losses` inside compute_loss are the forward pass's losses (as in Keras).
        self._losses_override = losses
        try:
            with StatelessScope(mapping) as scope:
                loss = self.compute_loss(x, y, y_pred, sample_weight, training=training)
        finally:
            self._losses_override = None
        metrics_variables = [scope.value_of(v) for v in self.metrics_variables]
        if training and self.optimizer is not None:
            loss = optimizers_module.loss_scale_optimizer.scale_loss_gradient(
                self.optimizer, loss, optimizer_variables
            )
        return loss, (y_pred, non_trainable_variables, metrics_variables)

    def _update_metrics_variables(self, metrics_variables, loss, x, y, y_pred, sample_weight):
        with StatelessScope(list(zip(self.metrics_variables, metrics_variables))) as scope:
            batch_size = batch_padding.count(jax.tree_util.tree_leaves(x)[0].shape[0])
            self._loss_tracker.update_state(loss, sample_weight=batch_size)
            logs = self.compute_metrics(x, y, y_pred, sample_weight)
        return logs, [scope.value_of(v) for v in self.metrics_variables]

    def train_step(self, state, data):
        """One pure training step: `(state, data) -> (logs, new_state)`, `data` being `x`,
        `(x, y)` or `(x, y, sample_weight)` (`jkeras.utils.unpack_x_y_sample_weight`).

        `state` is `(trainable, non_trainable, optimizer, metrics)` variable values. Override it
        in the JAX style of Keras 3 to customize training; it runs inside `jax.jit`.
        """
        trainable, non_trainable, optimizer_variables, metrics_variables = state
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        (loss, (y_pred, non_trainable, metrics_variables)), grads = grad_fn(
            trainable, non_trainable, metrics_variables, x, y, sample_weight, training=True,
            optimizer_variables=optimizer_variables,
        )
        trainable, optimizer_variables = self.optimizer.stateless_apply(
            optimizer_variables, grads, trainable
        )
        trainable = [
            value if variable.constraint is None else variable.constraint(value)
            for variable, value in zip(self.trainable_variables, trainable)
        ]
        logs, metrics_variables = self._update_metrics_variables(
            metrics_variables, loss, x, y, y_pred, sample_weight
        )
        return logs, (trainable, non_trainable, optimizer_variables, metrics_variables)

    def test_step(self, state, data):
        """One pure evaluation step: `(state, data) -> (logs, new_state)`,
        `state = (trainable, non_trainable, metrics)`."""
        trainable, non_trainable, metrics_variables = state
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        loss, (y_pred, non_trainable, metrics_variables) = self.compute_loss_and_updates(
            trainable, non_trainable, metrics_variables, x, y, sample_weight, training=False
        )
        logs, metrics_variables = self._update_metrics_variables(
            metrics_variables, loss, x, y, y_pred, sample_weight
        )
        return logs, (trainable, non_trainable, metrics_variables)

    def predict_step(self, state, data):
        """One pure prediction step: `(state, x) -> (outputs, new_non_trainable)`."""
        trainable, non_trainable = state
        return self.stateless_call(trainable, non_trainable, data, training=False)

    def _forget_compiled_steps(self):
        """Drop the compiled steps and what was derived with them (after `compile`, or when
        the variables change): the next call compiles afresh."""
        self._jit = {}
        self._pads_answers = {}

    def _pads_batches(self, kind, x=None, batch_size=None):
        """Whether `kind` steps on arrays pad a last, smaller batch to the full size, so that
        one compiled step serves every batch (`jkeras.trainers.batch_padding`): where the
        result is exact, and not when running eagerly (nothing compiles) or under a
        distribution. `x` (host arrays) and `batch_size` let a model whose layers cannot
        vouch for it be analysed on one batch's shapes; answers live as long as the steps."""
        if self.run_eagerly or distribution_lib.distribution() is not None:
            return False
        inputs = None if x is None else batch_padding.batch_spec(x, batch_size)
        key = (kind, None if x is None else compile_ahead.signature(inputs))
        if key not in self._pads_answers:
            self._pads_answers[key] = batch_padding.row_independent(self, kind, Trainer, inputs)
        return self._pads_answers[key]

    def _prepare(self, x, y, sample_weight, kind):
        """Check the data, build the model, its loss, metrics and optimizer for it; the host
        dataset as the steps take it (`x`, or `(x, y, sample_weight)`) and its size."""
        x = data_module.to_numpy_structure(self._stage_host_inputs(x), "x")
        y = data_module.to_numpy_structure(y, "y")
        sample_weight = data_module.to_numpy_structure(sample_weight, "sample_weight")
        if kind != "predict" and y is None and self._compile_loss is not None:
            raise ValueError(f"`y` is required by `{kind}` when the model has a compiled loss.")
        n = data_module.num_samples(x, y, sample_weight)
        if n == 0:
            method = {"train": "fit", "test": "evaluate", "predict": "predict"}[kind]
            raise ValueError(
                f"`{method}` needs at least one sample, but the data has 0 samples (`x` shapes "
                f"{[np.shape(a) for a in jax.tree_util.tree_leaves(x)]})."
            )
        self._build_for(x)
        if kind != "predict":
            self._build_compiled(x, y)
            self._check_sparse_labels(y)
        host_checks.check_host_inputs(self, x)
        if kind == "train" and not self.optimizer.built:
            self.optimizer.build(self.trainable_variables)
        dataset = x if kind == "predict" else (x, y, sample_weight)
        return data_module.to_host_float32(dataset), n

    def _stage_host_inputs(self, x):
        """`x` after the model's host stage (layers that run on the host, such as text
        vectorization: `jkeras.models.host_stage`); unchanged for models without one."""
        return x

    def _output_names(self):
        names = getattr(self, "output_names", None)
        if names is None:
            spec = self._output_spec
            count = len(jax.tree_util.tree_leaves(spec)) if spec is not None else 1
            names = [self.name] if count == 1 else [f"output_{i}" for i in range(count)]
        return names

    def _build_compiled(self, x, y):
        """Create the loss and metric objects (their variables must exist before a step)."""
        entry = self._compile_metrics_entry
        if self._compile_loss is not None and self._compile_loss.built and \
                (entry is None or entry.built):
            return
        spec = self.compute_output_spec(data_module.input_spec(x))
        self._output_spec = spec
        names = self._output_names()
        predictions = flatten_outputs(spec, names, "the model outputs")
        targets = flatten_outputs(y, names, "y") if y is not None else predictions
        named = getattr(self, "output_names", None) is not None
        if self._compile_loss is not None and not self._compile_loss.built:
            self._compile_loss.build(names, named_outputs=named)
        if self._compile_metrics_entry is not None and not self._compile_metrics_entry.built:
            self._compile_metrics_entry.build(names, targets, predictions, named)

    def _build_for(self, x):
        if isinstance(x, HostStaged):  # the host stage checked and built the model
            return
        if self.built and hasattr(self, "_check_input_shapes"):  # functional and sequential
            self._check_input_shapes(x)
        elif not self.built:
            spec = data_module.input_spec(x)
            if isinstance(spec, (dict, list, tuple)):  # a subclassed model taking a structure
                self.build_from_inputs(spec)
            else:
                self.build(spec.shape)
        elif (self.get_build_config() or {}).get("input_shape"):
            data_module.check_build_shapes(self.name, self.get_build_config()["input_shape"], x)

    def _check_sparse_labels(self, y):
        """Sparse labels must lie in [0, num_classes): checked on the host for numpy labels."""
        if self._compile_loss is None or y is None:
            return
        names = self._output_names()
        self._compile_loss.check_sparse_labels(
            flatten_outputs(y, names, "y"),
            flatten_outputs(self._output_spec, names, "the model outputs"))

    # --------------------------------------------------------------------------- fit

    def fit(
        self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
        validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
        sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
        validation_batch_size=None, validation_freq=1,
    ):
        """Train the model for `epochs` passes over `(x, y)`; return a `History`.

        Args:
            x, y: numpy/JAX arrays (or lists of numbers) with the same first dimension.
            batch_size: samples per gradient step (default 32).
            epochs: index of the last epoch (training runs `initial_epoch..epochs-1`).
            verbose: "auto"/1 live progress bar, 2 one line per epoch, 0 silent.
            callbacks: list of `jkeras.callbacks.Callback`.
            validation_split: fraction of the data, taken from the end, held out to validate.
            validation_data: `(x_val, y_val)` or `(x_val, y_val, sample_weight_val)`.
            shuffle: reshuffle the training data before each epoch.
            sample_weight: per-sample loss weights.
            initial_epoch: epoch at which to start (to resume training).

        Returns:
            `History`; `history.history` maps "loss", each metric and their "val_" twins to
            per-epoch floats.
        """
        self._assert_compiled()
        batch_size = data_module.check_batch_size(batch_size)
        _check_epochs(epochs, initial_epoch)
        verbose = _verbose(verbose)
        epochs, steps_per_epoch = _apply_config_limits(epochs, steps_per_epoch)
        plan, validation_data = epoch_plan.fit_plan(
            self, x, y, sample_weight, class_weight, batch_size, steps_per_epoch, shuffle,
            validation_split, validation_data, callbacks, initial_epoch)
        validate = self._validation(validation_data, validation_batch_size or batch_size,
                                    validation_steps, callbacks)
        history = History()
        sync = state_sync.model_sync(self, "train")
        callback_list = CallbackList(
            list(callbacks or []) + [history] + ([ProgbarLogger()] if verbose else []),
            model=self, params={"verbose": verbose, "epochs": epochs, "steps": plan.steps},
            on_sync=sync.write,
        )
        self.stop_training = False
        # On any way out, the variables get the state of the last dispatched step.
        with self._fitting(), self._syncing(sync), sync:
            callback_list.on_train_begin()
            # A callback (BackupAndRestore) may resume from a later epoch.
            initial_epoch = max(initial_epoch, self.resume_epoch or 0)
            self.resume_epoch = None
            epoch_logs = self._run_epochs(plan, range(initial_epoch, epochs), sync,
                                          callback_list, validate, validation_freq)
        # With `use_ema`, the trained weights become their moving averages (as in Keras).
        self.optimizer.finalize_variable_values(self.trainable_variables)
        callback_list.on_train_end(epoch_logs)
        self.history = history
        return history

    def _validation(self, validation_data, batch_size, steps, callbacks=None):
        """`() -> {"val_<name>": value}`, evaluating `validation_data` (arrays are checked
        now, before any epoch), or None without validation data. As in Keras, the user's
        `callbacks` see the evaluation's test hooks, batch hooks included (`SwapEMAWeights`
        swaps the averages in for it)."""
        if validation_data is None:
            return None
        if batch_sources.is_batch_source(validation_data):
            x, y, sample_weight = validation_data, None, None
        else:
            x, y, sample_weight = data_module.unpack_validation(validation_data)
            self._prepare(x, y, sample_weight, kind="test")

        def validate():
            logs = self.evaluate(x, y, sample_weight=sample_weight, batch_size=batch_size,
                                 steps=steps, verbose=0, return_dict=True, _callbacks=False,
                                 callbacks=CallbackList(list(callbacks or [])))
            return {f"val_{name}": value for name, value in logs.items()}

        return validate

    def _run_epochs(self, plan, epochs, sync, callback_list, validate, validation_freq):
        """Train `plan` for the epochs `epochs` (a range), validating every `validation_freq`
        epochs with `validate` (if any), until done or stopped; the last epoch's logs."""
        epoch_logs = None
        for epoch in epochs:
            self.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            logs = self._train_epoch(plan, epoch, sync, callback_list)
            epoch_logs = {name: float(value) for name, value in (logs or {}).items()}
            if validate is not None and (epoch + 1) % validation_freq == 0:
                epoch_logs.update(validate())
            callback_list.on_epoch_end(epoch, epoch_logs)
            if self.stop_training or plan.exhausted:
                if plan.exhausted:
                    warnings.warn(
                        "Your input ran out of data; interrupting training. Make sure that "
                        "your dataset or generator can generate at least `steps_per_epoch * "
                        "epochs` batches.", stacklevel=3)
                break
        return epoch_logs

    @contextlib.contextmanager
    def _fitting(self):
        self._in_fit = True
        try:
            yield
        finally:
            self._in_fit = False

    def _train_epoch(self, plan, epoch, sync, callback_list):
        """Run one epoch's executions through `sync`; the last one's logs (None if none
        ran). Closing the plan's generator stops a prefetching thread at once, also when a
        step or a callback raises."""
        sync.read()
        logs = None
        with contextlib.closing(plan.epoch(epoch)) as executions:
            for execution in executions:
                callback_list.on_train_batch_begin(execution.first)
                logs = sync.run(execution.step, *execution.arguments)
                callback_list.on_train_batch_end(execution.last, logs)
                if self.stop_training:
                    break
        sync.write()
        return logs

    # ---------------------------------------------------------------------- evaluate

    def evaluate(
        self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
        callbacks=None, return_dict=False, _callbacks=True,
    ):
        """Loss and metrics of the model on `(x, y)`.

        Returns:
            The loss as a float if there are no metrics, else `[loss, *metrics]`; a dict name →
            value with `return_dict=True`.
        """
        self._assert_compiled()
        batch_size = data_module.check_batch_size(batch_size)
        verbose = _verbose(verbose)
        batches = epoch_plan.host_batches(self, x, y, sample_weight, batch_size, steps, "test")
        sync = state_sync.model_sync(self, "test")  # donates nothing: the weights stay valid
        if isinstance(callbacks, CallbackList):  # fit's validation: its callbacks as they are
            callback_list, callbacks = callbacks, callbacks.callbacks
        else:
            callback_list = CallbackList(
                # No progress bar for an evaluation inside `fit` (e.g. from a callback).
                list(callbacks or [])
                + ([ProgbarLogger()] if verbose and _callbacks and not self._in_fit else []),
                model=self, params={"verbose": verbose, "epochs": 1, "steps": batches.steps},
                on_sync=sync.write,
            )
        self.reset_metrics()
        executions = epoch_plan.evaluation_executions(self, "test", x, batches, callbacks)
        callback_list.on_test_begin()
        logs = {}
        with self._syncing(sync), sync, contextlib.closing(executions):
            sync.read()
            for execution in executions:
                callback_list.on_test_batch_begin(execution.first)
                logs = sync.run(execution.step, *execution.arguments)
                callback_list.on_test_batch_end(execution.last, logs)
        logs = {name: float(value) for name, value in logs.items()}
        callback_list.on_test_end(logs)
        if return_dict:
            return logs
        return self._logs_as_list(logs)

    # ----------------------------------------------------------------------- predict

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for `x`, batch by batch, as numpy arrays."""
        batch_size = data_module.check_batch_size(batch_size)
        verbose = _verbose(verbose)
        batches = epoch_plan.host_batches(self, x, None, None, batch_size, steps, "predict")
        callback_list = CallbackList(
            list(callbacks or []) + ([ProgbarLogger()] if verbose else []),
            model=self, params={"verbose": verbose, "epochs": 1, "steps": batches.steps},
        )
        executions = epoch_plan.evaluation_executions(self, "predict", x, batches, callbacks)
        # A user's batch hook sees the last batch's outputs without the padded rows, as Keras
        # gives them (cutting them costs an eager slice, so only where someone looks).
        trim = batches.padded and any(overrides_batch_hooks(c) for c in callbacks or [])
        callback_list.on_predict_begin()
        with contextlib.closing(executions):  # stops a prefetching thread on any way out
            outputs = self._predict_executions(executions, callback_list,
                                               batches.rows if trim else None)
        callback_list.on_predict_end()
        return jax.tree_util.tree_map(
            lambda *parts: np.concatenate([np.asarray(p) for p in parts])[:batches.rows],
            *outputs
        )

    def _predict_executions(self, executions, callback_list, trim_rows):
        """Each execution's outputs, run from the variables' values (the steps donate
        nothing); with `trim_rows`, batch hooks see only the first `trim_rows` rows."""
        trainable, non_trainable = state_sync.read_state(self, "predict")
        outputs, emitted = [], 0
        for execution in executions:
            callback_list.on_predict_batch_begin(execution.first)
            batch_outputs, new = execution.step((trainable, non_trainable), *execution.arguments)
            non_trainable = state_sync.keep_unchanged((non_trainable,), (new,))[0]
            outputs.append(batch_outputs)
            if trim_rows is not None:
                size = jax.tree_util.tree_leaves(batch_outputs)[0].shape[0]
                if emitted + size > trim_rows:
                    keep = trim_rows - emitted
                    batch_outputs = jax.tree_util.tree_map(lambda o, keep=keep: o[:keep],
                                                           batch_outputs)
                emitted += size
            callback_list.on_predict_batch_end(execution.last, {"outputs": batch_outputs})
        return outputs

    # ------------------------------------------------------------- single batches

    def train_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """One gradient step on one batch; returns the batch's loss and metrics."""
        history = self.fit(x, y, batch_size=_one_batch_size(x), epochs=1,
                           verbose=0, shuffle=False, sample_weight=sample_weight)
        logs = {k: v[-1] for k, v in history.history.items()}
        return logs if return_dict else self._logs_as_list(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        return self.evaluate(x, y, batch_size=_one_batch_size(x),
                             sample_weight=sample_weight, verbose=0, return_dict=return_dict)

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=_one_batch_size(x), verbose=0)


def _one_batch_size(x):
    """The batch size of `*_on_batch` calls: all of `x` (at least 1, so that empty data gets
    the error about its size)."""
    return max(1, len(jax.tree_util.tree_leaves(x)[0]))


def _verbose(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2):
        raise ValueError(f"`verbose` must be 'auto', 0, 1 or 2. Received: verbose={verbose!r}")
    return verbose


def _check_epochs(epochs, initial_epoch):
    if not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"`epochs` must be a non-negative integer. Received: {epochs!r}")
    if initial_epoch > epochs:
        raise ValueError(
            f"`initial_epoch` ({initial_epoch}) must not exceed `epochs` ({epochs}): "
            "`epochs` is the index of the last epoch, not a number of further epochs."
        )


def _apply_config_limits(epochs, steps_per_epoch):
    """`(epochs, steps_per_epoch)` capped by `jkeras.config.set_max_epochs` /
    `set_max_steps_per_epoch` (with Keras's warnings)."""
    max_epochs, max_steps = jkeras_config.max_epochs(), jkeras_config.max_steps_per_epoch()
    if max_epochs and max_epochs < epochs:
        warnings.warn(f"Limiting epochs to {max_epochs}", stacklevel=3)
        epochs = max_epochs
    if max_steps and (not steps_per_epoch or max_steps < steps_per_epoch):
        warnings.warn(f"Limiting steps_per_epoch to {max_steps}", stacklevel=3)
        steps_per_epoch = max_steps
    return epochs, steps_per_epoch
