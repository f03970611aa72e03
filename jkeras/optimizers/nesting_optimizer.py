"""`NestingOptimizer`: the base of optimizers that hold other optimizers (`LossScaleOptimizer`,
`MultiOptimizer`). Their `variables` include the inner optimizers' variables, and `apply` runs
their `stateless_apply` over all of them, so the eager and the pure paths are one."""

from jkeras.optimizers.base_optimizer import Optimizer, grads_in_build_order


class NestingOptimizer(Optimizer):
    """An optimizer whose step is its `stateless_apply` over `self.variables` (its own and
    its inner optimizers'); subclasses define `build`, `variables` and `stateless_apply`."""

    def apply(self, grads, trainable_variables=None):
        """Apply gradients to the variables (building the optimizer on first use)."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is not None:
            trainable_variables = list(trainable_variables)
            self.build(trainable_variables)
        elif not self.built:
            raise ValueError(
                "When passing `grads` without `variables`, the optimizer must already be "
                "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                "first."
            )
        built_for = self._trainable_variables
        if trainable_variables is None:
            trainable_variables = built_for
        full_grads = grads_in_build_order(grads, trainable_variables, built_for)
        variables = self.variables
        new_params, new_values = self.stateless_apply(
            [v.value for v in variables], full_grads, [v.value for v in built_for]
        )
        for variable, value in zip(built_for, new_params):
            variable.assign(value)
        for variable, value in zip(variables, new_values):
            variable.assign(value)
