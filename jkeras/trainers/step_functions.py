"""Keras 3's JAX trainer functions for code that drives steps itself: `make_train_function`,
`make_test_function` and `make_predict_function` (`(state, iterator) -> (outputs, state)`,
running `steps_per_execution` batches of the iterator), `stateless_compute_loss`, and
`jax_state_sync`.

jkeras's own `fit`, `evaluate` and `predict` do not call these functions: they run the
compiled steps of `compiled_steps.py` (batches gathered on the device, a padded last batch,
fused loops), built from the same `train_step`/`test_step`/`predict_step`.
"""

import contextlib

import jax
import jax.numpy as jnp

from jkeras.core.stateless_scope import StatelessScope


class StepFunctions:
    """The mixin of `Trainer` with Keras 3's JAX step-function API."""

    def make_train_function(self, force=False):
        """Set `self.train_function`: `(state, iterator) -> (logs, state)`, the jitted
        `train_step` (its state donated) over the iterator's next batches."""
        if self.train_function is None or force:
            self.train_function = self._iterator_function(self._jitted(self.train_step))
        return self.train_function

    def make_test_function(self, force=False):
        """Set `self.test_function`: `(state, iterator) -> (logs, state)` over `test_step`,
        `state = (trainable, non_trainable, metrics)`."""
        if self.test_function is None or force:
            self.test_function = self._iterator_function(self._jitted(self.test_step))
        return self.test_function

    def make_predict_function(self, force=False):
        """Set `self.predict_function`: `(state, iterator) -> (outputs, (trainable,
        non_trainable))`, the outputs of the batches concatenated."""
        if self.predict_function is None or force:
            def predict_step(state, data):
                outputs, non_trainable = self.predict_step(state, data)
                return outputs, (state[0], non_trainable)

            self.predict_function = self._iterator_function(self._jitted(predict_step),
                                                            concatenate=True)
        return self.predict_function

    def _jitted(self, step):
        return step if self.run_eagerly else jax.jit(step, donate_argnums=0)

    def _iterator_function(self, step, concatenate=False):
        steps = self.steps_per_execution if isinstance(self.steps_per_execution, int) else 1

        def iterator_step(state, iterator):
            outputs, state = step(state, next(iterator))
            collected = [outputs]
            for _ in range(steps - 1):
                try:
                    data = next(iterator)
                except StopIteration:
                    break
                outputs, state = step(state, data)
                collected.append(outputs)
            if concatenate and len(collected) > 1:
                outputs = jax.tree_util.tree_map(lambda *parts: jnp.concatenate(parts),
                                                 *collected)
            return outputs, state

        return iterator_step

    def stateless_compute_loss(self, trainable_variables, non_trainable_variables,
                               metrics_variables, x=None, y=None, y_pred=None,
                               sample_weight=None, training=True):
        """Pure `compute_loss`: `(loss, (trainable, non_trainable, metrics))` for the given
        variable values, with the values `compute_loss` updated (Keras 3's API)."""
        mapping = list(zip(self.trainable_variables, trainable_variables))
        mapping += zip(self.non_trainable_variables, non_trainable_variables)
        mapping += zip(self.metrics_variables, metrics_variables)
        with StatelessScope(mapping) as scope:
            loss = self.compute_loss(x, y, y_pred, sample_weight=sample_weight,
                                     training=training)
        return loss, (list(trainable_variables),
                      [scope.value_of(v) for v in self.non_trainable_variables],
                      [scope.value_of(v) for v in self.metrics_variables])

    def jax_state_sync(self):
        """Write the state of the running `fit`/`evaluate` into the variables now (a
        callback reading weights mid-epoch); a no-op when they are current."""
        sync = getattr(self, "_active_sync", None)
        if sync is not None:
            sync.write()

    @contextlib.contextmanager
    def _syncing(self, sync):
        """`sync` is the running state while the block runs (`jax_state_sync` writes it)."""
        previous, self._active_sync = getattr(self, "_active_sync", None), sync
        try:
            yield sync
        finally:
            self._active_sync = previous
