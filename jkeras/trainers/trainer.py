"""`compile`/`fit`/`evaluate`/`predict` over one jitted pure step.

The training state is the tuple Keras 3's JAX trainer uses:
`(trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables)`, each a
list of arrays (the RNG is the seed generators' states, inside the non-trainable list). It is
read from the objects once at the start of each epoch, threaded through
`jax.jit(step, donate_argnums=0)` for every batch, and written back into the objects at the end
of the epoch, before a user callback's batch hook runs, and on any other way out of `fit` (an
exception, a Ctrl-C: `state_sync`). Evaluation and prediction donate nothing.

The in-memory dataset is put on the device once per call; each step gathers its batch from it
by index, so the host does no per-batch slicing. Only the last, smaller batch of an epoch has
another shape: one extra compilation in total, never one per epoch.
"""

import collections
import contextlib
import functools
import itertools
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from jkeras import config
from jkeras import optimizers as optimizers_module
from jkeras.callbacks.callback import CallbackList, overrides_batch_hooks
from jkeras.callbacks.history import History
from jkeras.callbacks.progbar_logger import ProgbarLogger
from jkeras.core.host_staged import HostStaged
from jkeras.core.keras_tensor import KerasTensor
from jkeras.core.stateless_scope import StatelessScope
from jkeras.core.tracing import fused_loop_scope
from jkeras.distribution import distribution_lib, placement
from jkeras.metrics import Mean
from jkeras.random.seed_generator import make_default_seed
from jkeras.trainers import (
    batch_padding,
    batch_sources,
    compile_ahead,
    compile_config,
    host_checks,
    state_sync,
)
from jkeras.trainers import data as data_module
from jkeras.trainers.compile_utils import CompiledLoss, CompiledMetrics, flatten_outputs


class Trainer:
    """Mixin giving `Model` the Keras training API."""

    # Compiled steps, their trace counts, the output structure and the forward pass's losses:
    # not searched for sublayers or variables (see `Layer.untracked_attributes`).
    untracked_attributes = ("_jit", "_trace_counts", "_output_spec", "_losses_override")

    def _init_trainer(self):
        self.compiled = False
        self.run_eagerly = False
        self.optimizer = None
        self.history = None
        self.stop_training = False
        self._in_fit = False
        self._jit = {}
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
        self,
        optimizer="rmsprop",
        loss=None,
        loss_weights=None,
        metrics=None,
        weighted_metrics=None,
        run_eagerly=False,
        steps_per_execution=1,
        jit_compile=True,
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
            steps_per_execution: steps fused into one compiled call, an int >= 1 or `"auto"`:
                a loop on the device over the device-resident dataset (`fit` on arrays), or a
                `lax.scan` over that many host batches stacked and transferred together
                (generators, evaluate, predict). Batch-level callbacks then run once per
                execution, with the indices of its first and last batch and the logs after its
                last batch. `"auto"` (a jkeras extension) fuses about a twentieth of a
                training epoch per call (one step per call when a user callback has batch-level
                hooks); evaluate and predict then run one step per call.
            jit_compile: compile the steps with XLA (default); False is the same as
                `run_eagerly=True`.
            auto_scale_loss: if True (default) and the model's dtype policy is
                `"mixed_float16"`, wrap the optimizer in a `LossScaleOptimizer`.
        """
        self.steps_per_execution = _check_steps_per_execution(steps_per_execution)
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
        self.run_eagerly = bool(run_eagerly) or not jit_compile
        self.jit_compile = not self.run_eagerly
        self.compiled = True
        self.loss = loss
        self._jit = {}

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
        """The loss tracker, the compiled metrics, the weighted ones, then per-output loss
        trackers (once built)."""
        result = [self._loss_tracker]
        if getattr(self, "compiled", False):
            result += self._compile_metrics.metrics + self._compile_weighted_metrics.metrics
            if self._compile_loss is not None:
                result += self._compile_loss.metrics
        return result

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

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
        if self._compile_metrics.metrics or self._compile_weighted_metrics.metrics:
            # Without compiled metrics there is nothing to pair (`y` may even be None).
            names = self._output_names()
            targets = flatten_outputs(y, names, "y")
            predictions = flatten_outputs(y_pred, names, "the model outputs")
            self._compile_metrics.update_state(targets, predictions, sample_weight)
            self._compile_weighted_metrics.update_state(targets, predictions, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
        return {metric.name: metric.result() for metric in self.metrics}

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
        """One pure training step: `(state, (x, y, sample_weight)) -> (logs, new_state)`.

        `state` is `(trainable, non_trainable, optimizer, metrics)` variable values. Override it
        in the JAX style of Keras 3 to customize training; it runs inside `jax.jit`.
        """
        trainable, non_trainable, optimizer_variables, metrics_variables = state
        x, y, sample_weight = data
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
        x, y, sample_weight = data
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

    def _step_function(self, kind, batch_size, fused=False, padded=False):
        """The jitted step for batches of `batch_size`.

        Training: `(state, dataset, order, start, end) -> (logs, state)` on the
        device-resident dataset's rows `order[start:start + batch_size]` (rows `start:...`
        when `order` is None). With `fused=True`: `(state, dataset, order, start, count, end)
        -> (logs, state)` runs `count` consecutive such steps in one device loop (the count is
        a traced value, so any count reuses the compiled loop) and returns the last step's
        logs.
        With `batch_size=None` (all evaluation and prediction, and training from generators):
        `(state, batch) -> (logs_or_outputs, state)` on a batch the host provides, so the
        compiled step depends only on the batch's shape, never on the dataset's size; with
        `fused=True` the batch holds several batches stacked on a new leading axis, run by one
        `lax.scan` (prediction returns the outputs stacked the same way).
        With `padded=True` (`jkeras.trainers.batch_padding`) a batch may run past the data:
        only positions before `end` are data, and the batch repeats the last row to the full
        size (masked out); a host batch is `(batch, number of valid rows)`. Otherwise `end` is
        None.
        """
        key = (kind, batch_size, fused, padded)
        if key in self._jit:
            return self._jit[key]
        user_step = {"train": self.train_step, "test": self.test_step,
                     "predict": self.predict_step}[kind]
        variables = self._state_variables(kind)
        counts = self._trace_counts

        def step(state, batch, rows=None):
            # Under a distribution, new values keep their variables' layouts (else GSPMD may
            # pick others, and the next call would compile the step again).
            with batch_padding.valid_rows(rows), state_sync.step_body():
                outputs, new_state = user_step(state, batch)
            if kind == "predict":  # the new state is the non-trainable list
                return outputs, placement.constrain_state((new_state,), variables[1:],
                                                          (state[1],))[0]
            return outputs, placement.constrain_state(new_state, variables, state)

        if kind == "train" and batch_size is not None:
            def step_at(state, dataset, order, start, end):
                leading = jax.tree_util.tree_leaves(dataset if order is None else order)[0]
                length = leading.shape[0]
                if padded and length % batch_size:  # the last batch runs past the rows:
                    # the data rows first, then the last row repeated (as host batches)
                    indices = jnp.minimum(start + jnp.arange(batch_size), length - 1)
                    if order is not None:
                        indices = jnp.take(order, indices)
                    batch = data_module.gather(dataset, indices)
                elif order is None:  # in dataset order: a contiguous slice
                    batch = data_module.slice_rows(dataset, start, batch_size)
                else:
                    indices = jax.lax.dynamic_slice_in_dim(order, start, batch_size)
                    batch = data_module.gather(dataset, indices)
                rows = start + jnp.arange(batch_size) < end if padded else None
                return step(state, batch, rows)

            if fused:
                def one_batch(state, dataset, order, start, count, end):
                    counts[kind] += 1  # runs only while tracing: counts compilations
                    # Traced as a loop body: layers pick loop-friendly implementations
                    # (XLA:CPU's in-loop convolution gradients, jax-ml/jax#12868).
                    with fused_loop_scope():
                        # Jitted, the step is traced once: the body's call reuses the trace
                        # that finds the logs' structure (XLA inlines the nested call).
                        traced_step = jax.jit(step_at)
                        logs_spec, _ = jax.eval_shape(traced_step, state, dataset, order, start,
                                                      end)

                        def body(i, carry):
                            _, state = carry
                            return traced_step(state, dataset, order, start + i * batch_size,
                                               end)

                        logs = jax.tree_util.tree_map(
                            lambda s: jnp.zeros(s.shape, s.dtype), logs_spec)
                        logs, state = jax.lax.fori_loop(0, count, body, (logs, state))
                    return logs, state
            else:
                def one_batch(state, dataset, order, start, end):
                    counts[kind] += 1  # runs only while tracing: counts compilations
                    return step_at(state, dataset, order, start, end)
        else:
            def host_step(state, batch):
                if not padded:
                    return step(state, batch)
                batch, valid = batch
                size = jax.tree_util.tree_leaves(batch)[0].shape[0]
                return step(state, batch, jnp.arange(size) < valid)

            if fused:
                def one_batch(state, batches):
                    counts[kind] += 1

                    def body(state, batch):
                        if kind == "predict":
                            outputs, non_trainable = host_step(state, batch)
                            return (state[0], non_trainable), outputs
                        logs, state = host_step(state, batch)
                        return state, logs

                    with fused_loop_scope():
                        state, stacked = jax.lax.scan(body, state, batches)
                    if kind == "predict":
                        return stacked, state[1]
                    return jax.tree_util.tree_map(lambda value: value[-1], stacked), state
            else:
                def one_batch(state, batch):
                    counts[kind] += 1
                    return host_step(state, batch)

        if kind != "train":
            one_batch = _without_unchanged_state(one_batch, kind)
        if not self.run_eagerly:
            # Only training donates its state: evaluation and prediction must never delete
            # weights (an error in their data would destroy the model), and return no
            # unchanged ones (`state_sync.drop_unchanged`), so that nothing is copied either.
            one_batch = jax.jit(one_batch, donate_argnums=0 if kind == "train" else (),
                                compiler_options=config.step_compiler_options() or None)
            if compile_ahead.enabled():
                one_batch = compile_ahead.CompiledAhead(one_batch)
        self._jit[key] = one_batch
        return one_batch

    def _compile_variants(self, kind, variants, padded=False):
        """Compile the `kind` steps a run will call, all at once (`compile_ahead`), when it
        calls more than one: `variants` lists `(batch size as `_step_function` takes it,
        fused, arguments after the state)`. Only where `compile_ahead.enabled()` (opt-in), and
        never when running eagerly or under a distribution (whose layouts the arguments would
        have to carry)."""
        if (not compile_ahead.enabled() or self.run_eagerly
                or distribution_lib.distribution() is not None):
            return
        distinct = {}
        for size, fused, arguments in variants:
            key = (size, fused, compile_ahead.signature(arguments))
            distinct.setdefault(key, (size, fused, arguments))
        if len(distinct) < 2:
            return
        state = self._read_state(kind)
        for size, fused, arguments in distinct.values():
            step = self._step_function(kind, size, fused=fused, padded=padded)
            if isinstance(step, compile_ahead.CompiledAhead):  # not if made while it was off
                step.compile_ahead(state, *arguments)

    # ------------------------------------------------------------------ state sync

    def _read_state(self, kind):
        values = lambda variables: [v.value for v in variables]
        trainable = values(self.trainable_variables)
        non_trainable = values(self.non_trainable_variables)
        if kind == "predict":
            return (trainable, non_trainable)
        metrics = values(self.metrics_variables)
        if kind == "test":
            return (trainable, non_trainable, metrics)
        return (trainable, non_trainable, values(self.optimizer.variables), metrics)

    def _state_variables(self, kind):
        """The variables behind the state tuple of a `kind` step, group by group."""
        if kind == "train":
            return (self.trainable_variables, self.non_trainable_variables,
                    self.optimizer.variables, self.metrics_variables)
        if kind == "test":
            return (self.trainable_variables, self.non_trainable_variables,
                    self.metrics_variables)
        return (self.trainable_variables, self.non_trainable_variables)

    def _write_state(self, state, kind):
        for variables, values in zip(self._state_variables(kind), state):
            for variable, value in zip(variables, values):
                variable.set_value(value)

    def _state_sync(self, kind):
        """A `state_sync.StateSync` over the `kind` state; training steps donate theirs."""
        return state_sync.StateSync(lambda: self._read_state(kind),
                                    lambda state: self._write_state(state, kind),
                                    donated=kind == "train")

    def _pads_batches(self, kind):
        """Whether `kind` steps on arrays pad a last, smaller batch to the full size, so that
        one compiled step serves every batch (`jkeras.trainers.batch_padding`): where the
        result is exact, and not when running eagerly (nothing compiles) or under a
        distribution."""
        return (not self.run_eagerly and distribution_lib.distribution() is None
                and batch_padding.row_independent(self, kind, Trainer))

    def _prepare(self, x, y, sample_weight, kind):
        """Validate, build the model and its metrics, and put the data on the device."""
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
        host_checks.check_embedding_indices(self, x)
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
        if self._compile_loss is not None and self._compile_loss.built and \
                self._compile_metrics.built and self._compile_weighted_metrics.built:
            return
        spec = self.compute_output_spec(_input_spec(x))
        self._output_spec = spec
        names = self._output_names()
        predictions = flatten_outputs(spec, names, "the model outputs")
        targets = flatten_outputs(y, names, "y") if y is not None else predictions
        if self._compile_loss is not None and not self._compile_loss.built:
            self._compile_loss.build(names)
        if not self._compile_metrics.built:
            self._compile_metrics.build(names, targets, predictions)
        if not self._compile_weighted_metrics.built:
            taken = {metric.name for metric in self._compile_metrics.metrics}
            self._compile_weighted_metrics.build(names, targets, predictions, taken)

    def _build_for(self, x):
        if isinstance(x, HostStaged):  # the host stage checked and built the model
            return
        leaves = jax.tree_util.tree_leaves(x)
        if hasattr(self, "_check_input_shapes"):
            self._check_input_shapes(x)
        elif not self.built:
            self.build(_input_spec(x).shape if len(leaves) == 1 else None)
        elif len(leaves) == 1 and (self.get_build_config() or {}).get("input_shape"):
            expected = self.get_build_config()["input_shape"]
            received = (None,) + tuple(np.shape(leaves[0])[1:])
            compatible = len(expected) == len(received) and all(
                e is None or e == r for e, r in zip(expected[1:], received[1:])
            )
            if not compatible:
                raise ValueError(
                    f"Input of model '{self.name}' is incompatible with the model: expected "
                    f"shape {expected}, but received input with shape "
                    f"{tuple(np.shape(leaves[0]))}."
                )

    def _check_sparse_labels(self, y):
        """Sparse labels must lie in [0, num_classes): checked on the host for numpy labels."""
        if self._compile_loss is None or y is None:
            return
        names = self._output_names()
        targets = flatten_outputs(y, names, "y")
        predictions = flatten_outputs(self._output_spec, names, "the model outputs")
        for index, loss in self._compile_loss.sparse_categorical_losses:
            labels, num_classes = targets[index], predictions[index].shape[-1]
            if not isinstance(labels, np.ndarray) or labels.size == 0:
                continue
            ignore_class = getattr(loss, "fn_kwargs", {}).get("ignore_class")
            if ignore_class is not None:
                labels = labels[labels != ignore_class]
            if labels.size and (labels.min() < 0 or labels.max() >= num_classes
                                or np.any(labels != np.floor(labels))):
                where = f" for output '{names[index]}'" if len(names) > 1 else ""
                raise ValueError(
                    f"Labels{where} for sparse_categorical_crossentropy must be integers in [0, "
                    f"{num_classes}) (the model outputs {num_classes} classes). Received labels "
                    f"from {labels.min()} to {labels.max()}."
                )

    # --------------------------------------------------------------------------- fit

    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch=0,
        steps_per_epoch=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq=1,
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
        if not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"`epochs` must be a non-negative integer. Received: {epochs!r}")
        if initial_epoch > epochs:
            raise ValueError(
                f"`initial_epoch` ({initial_epoch}) must not exceed `epochs` ({epochs}): "
                "`epochs` is the index of the last epoch, not a number of further epochs."
            )
        verbose = _verbose(verbose)
        # Each epoch's order derives from (seed, epoch), so a run resumed at epoch k (e.g. by
        # BackupAndRestore, after set_random_seed) shuffles exactly as an uninterrupted one.
        shuffle_seed = make_default_seed()
        if batch_sources.is_batch_source(x):
            _reject_y_for_batch_source(y, sample_weight, class_weight)
            if validation_split:
                raise ValueError("`validation_split` is only supported for array inputs.")
            plan = self._source_plan(x, steps_per_epoch, shuffle, shuffle_seed, callbacks,
                                     initial_epoch)
        else:
            x = self._stage_host_inputs(x)
            if validation_split and validation_data is None:
                arrays = tuple(
                    data_module.to_numpy_structure(a, name)
                    for a, name in ((x, "x"), (y, "y"), (sample_weight, "sample_weight"))
                )
                (x, y, sample_weight), validation_data = data_module.split_validation(
                    arrays, validation_split
                )
            if class_weight is not None:
                sample_weight = self._class_weights_to_sample_weights(
                    y, class_weight, sample_weight)
            plan = self._array_plan(x, y, sample_weight, batch_size, steps_per_epoch, shuffle,
                                    shuffle_seed, callbacks)
        validation = None
        if validation_data is not None:
            if batch_sources.is_batch_source(validation_data):
                validation = (validation_data, None, None)
            else:
                validation = _unpack_validation(validation_data)
                self._prepare(*validation, kind="test")  # validate early, before any epoch

        history = History()
        internal = [history] + ([ProgbarLogger()] if verbose else [])
        sync = self._state_sync("train")
        callback_list = CallbackList(
            list(callbacks or []) + internal, model=self,
            params={"verbose": verbose, "epochs": epochs, "steps": plan.steps},
            on_sync=sync.write,
        )
        self.stop_training = False
        epoch_logs = None
        # On any way out, the variables get the state of the last dispatched step.
        with self._fitting(), sync:
            callback_list.on_train_begin()
            # A callback (BackupAndRestore) may resume from a later epoch.
            initial_epoch = max(initial_epoch, self.resume_epoch or 0)
            self.resume_epoch = None
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                callback_list.on_epoch_begin(epoch)
                logs = self._train_epoch(plan, epoch, sync, callback_list)
                epoch_logs = {name: float(value) for name, value in (logs or {}).items()}
                if validation is not None and (epoch + 1) % validation_freq == 0:
                    val_x, val_y, val_sample_weight = validation
                    val_logs = self.evaluate(
                        val_x, val_y, sample_weight=val_sample_weight,
                        batch_size=validation_batch_size or batch_size, steps=validation_steps,
                        verbose=0, return_dict=True, _callbacks=False,
                    )
                    epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
                callback_list.on_epoch_end(epoch, epoch_logs)
                if self.stop_training or plan.exhausted:
                    if plan.exhausted:
                        warnings.warn(
                            "Your input ran out of data; interrupting training. Make sure that "
                            "your dataset or generator can generate at least `steps_per_epoch "
                            "* epochs` batches.", stacklevel=2)
                    break
        # With `use_ema`, the trained weights become their moving averages (as in Keras).
        self.optimizer.finalize_variable_values(self.trainable_variables)
        callback_list.on_train_end(epoch_logs)
        self.history = history
        return history

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
            for first_step, last_step, run_step in executions:
                callback_list.on_train_batch_begin(first_step)
                logs = sync.run(run_step)
                callback_list.on_train_batch_end(last_step, logs)
                if self.stop_training:
                    break
        sync.write()
        return logs

    def _array_plan(self, x, y, sample_weight, batch_size, steps_per_epoch, shuffle, seed,
                    callbacks):
        """Epochs over in-memory arrays: the data lives on the device, steps gather batches.

        Steps are grouped into executions of `steps_per_execution` batches of one size: a
        group of one runs the single step, a longer group the fused loop. Numpy data on the
        CPU backend, or too large for an accelerator's free memory, streams instead
        (`_stream_plan`, `_keep_on_device`)."""
        dataset, n = self._prepare(x, y, sample_weight, "train")
        padded = self._pads_batches("train")
        starts = data_module.batch_starts(n, batch_size, padded)
        if steps_per_epoch is not None:
            starts = starts[:steps_per_epoch]
        if not _keep_on_device(dataset):
            return self._stream_plan(dataset, n, starts, batch_size, shuffle, seed, callbacks,
                                     padded)
        dataset = data_module.to_device(dataset)
        per_execution = self._resolve_steps_per_execution(len(starts), callbacks)
        groups = _step_groups(starts, per_execution, batch_size)
        order_spec = jax.ShapeDtypeStruct((n,), jnp.int32) if shuffle else None
        end = jax.device_put(np.int32(n)) if padded else None
        self._compile_variants("train", [
            (size, fused, (dataset, order_spec, np.int32(0))
             + ((np.int32(1),) if fused else ()) + (end,))
            for _, _, size, _, fused in groups], padded)

        def epoch(index):
            order = None
            if shuffle:
                permutation = np.random.default_rng([seed, index]).permutation(n)
                order = jax.device_put(permutation.astype(np.int32))
            for first, start, size, count, fused in groups:
                step = self._step_function("train", size, fused=fused, padded=padded)
                arguments = (np.int32(start),) + ((np.int32(count),) if fused else ()) + (end,)
                run = lambda state, step=step, arguments=arguments: step(
                    state, dataset, order, *arguments)
                yield first, first + count - 1, run

        return _Plan(epoch, len(starts))

    def _stream_plan(self, dataset, n, starts, batch_size, shuffle, seed, callbacks, padded):
        """Epochs over host arrays, for data kept off the device: each execution's batches
        are cut on the host (in the same order as the device-resident path) into a window of
        `steps_per_execution` batches, transferred ahead of the step, and run by the same
        compiled steps as device-resident data, with the window as their dataset. Windows
        always hold `steps_per_execution` batches (the rows past the last batch of a short
        window are never read), so every window shares one compilation; with `padded`, a
        last, smaller batch is padded to the full size too."""
        per_execution = self._resolve_steps_per_execution(len(starts), callbacks)
        groups = _step_groups(starts, per_execution, batch_size)
        window_spec = lambda rows: jax.tree_util.tree_map(
            lambda a: jax.ShapeDtypeStruct((rows,) + a.shape[1:], a.dtype), dataset)
        self._compile_variants("train", [
            (size, fused, (window_spec(per_execution * size if fused else size * count), None,
                           np.int32(0)) + ((np.int32(1),) if fused else ())
             + ((np.int32(size * count),) if padded else (None,)))
            for _, _, size, count, fused in groups], padded)

        def epoch(index):
            order = np.random.default_rng([seed, index]).permutation(n) if shuffle else None

            def window(start, size, count, fused):
                rows = np.arange(start, min(start + size * count, n))
                if order is not None:
                    rows = order[rows]
                if fused or padded:  # pad to the full window
                    length = per_execution * size if fused else size * count
                    rows = np.concatenate([rows, np.zeros(length - len(rows), rows.dtype)])
                return data_module.take_rows(dataset, rows)

            # On CPU the windows are cut on the main thread: a thread would compete with the
            # step for the cores, and running ahead it held more windows for no speed.
            windows = batch_sources.prefetch_to_device(
                (window(*group[1:]) for group in groups),
                thread=per_execution > 1 and jax.default_backend() != "cpu")
            in_flight = collections.deque()

            def run(state, step, *args):
                logs, state = step(state, *args)
                in_flight.append(logs)
                return logs, state

            for (first, start, size, count, fused), rows in zip(groups, windows):
                step = self._step_function("train", size, fused=fused, padded=padded)
                end = np.int32(min(size * count, n - start)) if padded else None
                arguments = (rows, None, np.int32(0)) + ((np.int32(count),) if fused else ())
                arguments += (end,)
                yield first, first + count - 1, lambda state, step=step, arguments=arguments: run(
                    state, step, *arguments)
                # Dispatch is asynchronous: without a bound, the host would cut and transfer
                # every window of the epoch before the device caught up, holding them all.
                # (Waiting here, after the step's new state is bound, not inside the step.)
                if len(in_flight) > STREAM_EXECUTIONS_IN_FLIGHT:
                    jax.block_until_ready(in_flight.popleft())

        return _Plan(epoch, len(starts))

    def _resolve_steps_per_execution(self, steps, callbacks, kind="train"):
        """Steps per compiled call: the compiled setting, with `"auto"` resolved for an epoch
        of `steps` steps (None: unknown) and these user callbacks. `"auto"` fuses training
        only: evaluation and prediction would stack host batches, an extra copy that made
        `predict` slower on CPU. On the CPU backend a model with a recurrent layer also takes
        one step per call: its time loop would nest inside the fused loop, whose body XLA:CPU
        runs slower, and its long steps leave no dispatch time to save (docs/performance.md)."""
        if self.steps_per_execution != "auto":
            return self.steps_per_execution
        if kind != "train" or any(overrides_batch_hooks(c) for c in callbacks or []):
            return 1
        if jax.default_backend() == "cpu" and _has_recurrent_layer(self):
            return 1
        return max(1, -(-(steps or 20) // 20))

    def _executions(self, kind, batches, per_execution, from_arrays=False, padded=False):
        """Run host `batches` in groups: yields `(index of the first batch, number of batches,
        step, device batch)`; consecutive batches of one shape, up to `per_execution` of them,
        are stacked on the host and transferred together for the fused step. Under a
        distribution, whose data layout shards the leading axis, batches run one by one.
        With `padded`, each batch is `(batch, number of valid rows)` (`_host_batches`)."""
        thread = not from_arrays
        if per_execution == 1 or distribution_lib.distribution() is not None:
            single = self._step_function(kind, None, padded=padded)
            for index, batch in enumerate(
                    batch_sources.prefetch_to_device(batches, thread=thread)):
                yield index, 1, single, batch
            return
        counts = collections.deque()  # filled by the prefetcher ahead of the consumer
        groups = _stacked_groups(batches, per_execution, counts)
        first = 0
        for batch in batch_sources.prefetch_to_device(groups, thread=thread):
            count = counts.popleft()
            yield first, count, self._step_function(kind, None, fused=count > 1,
                                                    padded=padded), batch
            first += count

    def _source_plan(self, x, steps_per_epoch, shuffle, seed, callbacks, first_index):
        """Epochs over a generator/PyDataset: batches are prefetched to the device. The model
        is built from the first batch of epoch `first_index`, whose batches are kept for
        that epoch."""
        source = batch_sources.BatchSource(x, steps=steps_per_epoch, shuffle=shuffle,
                                           seed=seed, transform_x=self._stage_host_inputs)
        plan = _Plan(None, source.steps_per_epoch)
        # Build the model, optimizer and metrics from the first batch before any state is read.
        batches = source.epoch(first_index)
        first = next(batches)
        self._prepare(*first, kind="train")
        first_epoch = [itertools.chain([first], batches)]

        per_execution = self._resolve_steps_per_execution(source.steps_per_epoch, callbacks)

        def epoch(index):
            # Resumed at another epoch (BackupAndRestore), a shuffled source starts over in
            # that epoch's order.
            if first_epoch and (index == first_index or not source.shuffled):
                iterator = first_epoch.pop()
            else:
                first_epoch.clear()
                iterator = source.epoch(index)
            for first, count, step, batch in self._executions("train", iterator, per_execution):
                yield first, first + count - 1, lambda state, step=step, batch=batch: step(
                    state, batch)
            plan.exhausted = source.exhausted

        plan.epoch = epoch
        return plan

    def _class_weights_to_sample_weights(self, y, class_weight, sample_weight):
        """Keras's `class_weight`: each sample weighs as its class (times `sample_weight`)."""
        y = data_module.to_numpy_structure(y, "y")
        if not isinstance(y, np.ndarray):
            raise ValueError("`class_weight` is only supported for a single output with array "
                             "targets.")
        classes = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y))
        classes = classes.astype(np.int64)
        if not isinstance(class_weight, dict) or not class_weight:
            raise ValueError(f"`class_weight` must be a non-empty dict from class index to "
                             f"weight. Received: {class_weight!r}")
        present = set(np.unique(classes).tolist())
        unknown = sorted(k for k in class_weight if k not in present)
        if unknown:
            raise ValueError(
                f"`class_weight` names classes {unknown} that do not appear in `y` (classes "
                f"present: {sorted(present)})."
            )
        table = np.ones(max(max(present), max(class_weight)) + 1, dtype=np.float32)
        for index, weight in class_weight.items():
            table[index] = weight
        weights = table[classes]
        if sample_weight is not None:
            weights = weights * np.asarray(sample_weight, dtype=np.float32)
        return weights

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
        batches, num_steps, examples, padded, _ = self._host_batches(
            x, y, sample_weight, batch_size, steps, "test")
        from_arrays = not batch_sources.is_batch_source(x)
        sync = self._state_sync("test")  # its steps donate nothing: the weights stay valid
        callback_list = CallbackList(
            # No progress bar for an evaluation inside `fit` (e.g. from a callback).
            list(callbacks or [])
            + ([ProgbarLogger()] if verbose and _callbacks and not self._in_fit else []),
            model=self, params={"verbose": verbose, "epochs": 1, "steps": num_steps},
            on_sync=sync.write,
        )
        self.reset_metrics()
        per_execution = self._resolve_steps_per_execution(num_steps, callbacks, "test")
        self._compile_host_batch_steps("test", examples, per_execution, padded)
        callback_list.on_test_begin()
        logs = {}
        with sync, contextlib.closing(self._executions(
                "test", batches, per_execution, from_arrays, padded)) as executions:
            sync.read()
            for first, count, step, batch in executions:
                callback_list.on_test_batch_begin(first)
                logs = sync.run(step, batch)
                callback_list.on_test_batch_end(first + count - 1, logs)
        logs = {name: float(value) for name, value in logs.items()}
        callback_list.on_test_end(logs)
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values

    def _host_batches(self, x, y, sample_weight, batch_size, steps, kind):
        """`(batches, number of steps or None, examples, padded, rows)`: host batches `(x, y,
        sample_weight)` from arrays (sliced in order) or from a generator/dataset, the model
        built first; `examples` holds the first and the last batch from arrays (their two
        sizes) when compiling ahead, none from a generator. With `padded` (arrays,
        `_pads_batches`), every batch from arrays has the full size and comes as `(batch,
        number of valid rows)`, and the valid rows are the first `rows` of the batches'
        outputs (None from a generator)."""
        if batch_sources.is_batch_source(x):
            _reject_y_for_batch_source(y, sample_weight, None)
            source = batch_sources.BatchSource(x, steps=steps,
                                               transform_x=self._stage_host_inputs)
            batches = source.epoch()
            first = next(batches)
            self._prepare(*first, kind=kind)
            return itertools.chain([first], batches), source.steps_per_epoch, [], False, None
        dataset, n = self._prepare(x, y, sample_weight, kind)
        if kind == "predict":
            dataset = (dataset, None, None)
        padded = self._pads_batches(kind)
        starts = data_module.batch_starts(n, batch_size)
        if steps is not None:
            starts = starts[:steps]
        full = starts[0][1] if starts else 0

        def batch(start, size):
            rows = data_module.host_rows(dataset, start, size)
            return (batch_padding.pad_rows(rows, full), np.int32(size)) if padded else rows

        batches = (batch(start, size) for start, size in starts)
        # Only compiling ahead uses them (and cutting the padded one copies a batch).
        examples = ([batch(*starts[i]) for i in (0, -1)]
                    if starts and compile_ahead.enabled() else [])
        return batches, len(starts), examples, padded, sum(size for _, size in starts)

    def _compile_host_batch_steps(self, kind, examples, per_execution, padded):
        """Compile the steps for all batch sizes of an evaluation or prediction at once."""
        if per_execution == 1:
            self._compile_variants(kind, [
                (None, False, (_predict_input(batch, padded) if kind == "predict" else batch,))
                for batch in examples], padded)

    # ----------------------------------------------------------------------- predict

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for `x`, batch by batch, as numpy arrays."""
        batch_size = data_module.check_batch_size(batch_size)
        verbose = _verbose(verbose)
        batches, num_steps, examples, padded, rows = self._host_batches(
            x, None, None, batch_size, steps, "predict")
        from_arrays = not batch_sources.is_batch_source(x)
        callback_list = CallbackList(
            list(callbacks or []) + ([ProgbarLogger()] if verbose else []),
            model=self, params={"verbose": verbose, "epochs": 1, "steps": num_steps},
        )
        per_execution = self._resolve_steps_per_execution(num_steps, callbacks, "predict")
        self._compile_host_batch_steps("predict", examples, per_execution, padded)
        # A user's batch hook sees the last batch's outputs without the padded rows, as Keras
        # gives them (cutting them costs an eager slice, so only where someone looks).
        trim = padded and any(overrides_batch_hooks(c) for c in callbacks or [])
        callback_list.on_predict_begin()
        executions = self._executions("predict", batches, per_execution, from_arrays, padded)
        with contextlib.closing(executions):  # stops a prefetching thread on any way out
            outputs = self._predict_executions(executions, padded, callback_list,
                                               rows if trim else None)
        callback_list.on_predict_end()
        return jax.tree_util.tree_map(
            lambda *parts: np.concatenate([np.asarray(p) for p in parts])[:rows], *outputs
        )

    def _predict_executions(self, executions, padded, callback_list, trim_rows):
        """Each execution's outputs, run from the variables' values (the steps donate
        nothing); with `trim_rows`, batch hooks see only the first `trim_rows` rows."""
        trainable, non_trainable = self._read_state("predict")
        outputs, emitted = [], 0
        for first, count, step, batch in executions:
            callback_list.on_predict_batch_begin(first)
            batch_outputs, new = step((trainable, non_trainable), _predict_input(batch, padded))
            non_trainable = state_sync.keep_unchanged((non_trainable,), (new,))[0]
            if count > 1:  # stacked (count, batch, ...): back to (count * batch, ...)
                batch_outputs = jax.tree_util.tree_map(
                    lambda o: o.reshape((-1,) + o.shape[2:]), batch_outputs)
            outputs.append(batch_outputs)
            if trim_rows is not None:
                size = jax.tree_util.tree_leaves(batch_outputs)[0].shape[0]
                if emitted + size > trim_rows:
                    keep = trim_rows - emitted
                    batch_outputs = jax.tree_util.tree_map(lambda o, keep=keep: o[:keep],
                                                           batch_outputs)
                emitted += size
            callback_list.on_predict_batch_end(first + count - 1, {"outputs": batch_outputs})
        return outputs

    # ------------------------------------------------------------- single batches

    def train_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """One gradient step on one batch; returns the batch's loss and metrics."""
        history = self.fit(x, y, batch_size=_one_batch_size(x), epochs=1,
                           verbose=0, shuffle=False, sample_weight=sample_weight)
        logs = {k: v[-1] for k, v in history.history.items()}
        return logs if return_dict else _as_list(logs, self.metrics_names)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        return self.evaluate(x, y, batch_size=_one_batch_size(x),
                             sample_weight=sample_weight, verbose=0, return_dict=return_dict)

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=_one_batch_size(x), verbose=0)


def _one_batch_size(x):
    """The batch size of `*_on_batch` calls: all of `x` (at least 1, so that empty data gets
    the error about its size)."""
    return max(1, len(jax.tree_util.tree_leaves(x)[0]))


def _without_unchanged_state(one_batch, kind):
    """`one_batch` (an evaluation or prediction step) returning None for the state it passes
    through unchanged (`state_sync.drop_unchanged`); a prediction's state is the
    non-trainable list."""

    @functools.wraps(one_batch)  # profiles and compilation logs keep the step's name
    def step(state, *args):
        outputs, new_state = one_batch(state, *args)
        if kind == "predict":
            return outputs, state_sync.drop_unchanged((state[1],), (new_state,))[0]
        return outputs, state_sync.drop_unchanged(state, new_state)

    return step


def _predict_input(batch, padded):
    """A host prediction batch `(x, None, None)`, or `((x, None, None), valid rows)` when
    padded, as the predict step takes it: `x`, or `(x, valid rows)`."""
    return (batch[0][0], batch[1]) if padded else batch[0]


def _has_recurrent_layer(layer):
    """Whether `layer` or any layer below it runs a loop on the device in its call
    (`Layer.runs_loop`: a recurrent layer's time loop)."""
    pending = [layer]
    while pending:
        current = pending.pop()
        if current.runs_loop:
            return True
        pending.extend(current.sublayers)
    return False


def _step_groups(starts, per_execution, batch_size):
    """Executions over `starts` (`[(start row, batch size), ...]`): `(index of the first step,
    start row, batch size, number of steps, fused)`, consecutive batches of one size, up to
    `per_execution` of them, per execution. Under fusion, full batches always take the fused
    loop (any count reuses its compilation); a lone last batch of another size takes the
    single step."""
    groups = []
    for index, (start, size) in enumerate(starts):
        last = groups[-1] if groups else None
        if last and last[2] == size and last[3] < per_execution:
            groups[-1] = last[:3] + (last[3] + 1,)
        else:
            groups.append((index, start, size, 1))
    return [(first, start, size, count,
             per_execution > 1 and (count > 1 or size == batch_size))
            for first, start, size, count in groups]


def _stacked_groups(batches, size, counts):
    """Consecutive host batches of one shape, up to `size`, stacked on a new leading axis (a
    lone batch stays as it is); each group's batch count is appended to `counts`."""
    group, group_shape = [], None

    def stacked():
        counts.append(len(group))
        if len(group) == 1:
            return group[0]
        stack = lambda *parts: (jnp.stack(parts) if isinstance(parts[0], jax.Array)
                                else np.stack(parts))
        return jax.tree_util.tree_map(stack, *group)

    for batch in batches:
        shape = [np.shape(leaf) for leaf in jax.tree_util.tree_leaves(batch)]
        if group and shape != group_shape:
            yield stacked()
            group = []
        group.append(batch)
        group_shape = shape
        if len(group) == size:  # full: run it now, not once the next batch has come
            yield stacked()
            group = []
    if group:
        yield stacked()


# Streamed windows in flight (dispatched, not finished) at most; each holds its host rows.
STREAM_EXECUTIONS_IN_FLIGHT = 2

# On an accelerator, an in-memory training set goes to the device when it takes at most this
# fraction of the device's free memory.
DEVICE_DATA_FRACTION = 0.5


def _keep_on_device(dataset):
    """Whether `fit` puts an in-memory dataset on the device, or streams it from the host.

    Data that is a JAX array already stays. On the CPU backend numpy data streams (unless a
    distribution spreads it over several devices): the device is host memory, so a device
    copy would only be a second copy of the dataset. On an accelerator it
    goes to the device when it takes at most `DEVICE_DATA_FRACTION` of the free memory."""
    leaves = jax.tree_util.tree_leaves(dataset)
    if any(isinstance(leaf, jax.Array) for leaf in leaves):
        return True
    device = jax.local_devices()[0]
    if device.platform == "cpu":
        return distribution_lib.distribution() is not None
    stats = device.memory_stats()
    if not stats or "bytes_limit" not in stats:
        return True
    free = stats["bytes_limit"] - stats.get("bytes_in_use", 0)
    size = sum(np.asarray(leaf).nbytes for leaf in leaves)
    return size <= DEVICE_DATA_FRACTION * free


def _input_spec(x):
    """KerasTensors with x's structure, shapes (batch dimension unknown) and dtypes."""

    def spec(leaf):
        dtype = str(getattr(leaf, "dtype", "float32"))
        dtype = {"float64": "float32", "int64": "int32"}.get(dtype, dtype)
        return KerasTensor((None,) + tuple(np.shape(leaf)[1:]), dtype)

    return jax.tree_util.tree_map(spec, x)


def _verbose(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2):
        raise ValueError(f"`verbose` must be 'auto', 0, 1 or 2. Received: verbose={verbose!r}")
    return verbose


def _unpack_validation(validation_data):
    if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
        raise ValueError(
            "`validation_data` must be a tuple `(x_val, y_val)` or `(x_val, y_val, "
            f"val_sample_weight)`. Received: {type(validation_data).__name__}"
        )
    x, y, *rest = validation_data
    return x, y, (rest[0] if rest else None)


def _as_list(logs, names):
    values = [logs[name] for name in names if name in logs]
    return values[0] if len(values) == 1 else values


class _Plan:
    """How one epoch runs: `epoch()` yields `(first batch index, last batch index, run)` with
    `run(state) -> (logs, state)` running those batches."""

    def __init__(self, epoch, steps):
        self.epoch = epoch
        self.steps = steps
        self.exhausted = False


def _check_steps_per_execution(value):
    if value == "auto":
        return value
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(
            "`steps_per_execution` must be a positive integer or 'auto'. Received: "
            f"steps_per_execution={value!r}"
        )
    return int(value)


def _reject_y_for_batch_source(y, sample_weight, class_weight):
    for name, value in (("y", y), ("sample_weight", sample_weight),
                        ("class_weight", class_weight)):
        if value is not None:
            raise ValueError(
                f"`{name}` argument is not supported when using a generator or dataset as "
                "input: the data must yield `(x, y)` or `(x, y, sample_weight)` batches."
            )
