"""Keras example style: a GAN as a `Model` subclass with two optimizers and a JAX
`train_step` (discriminator then generator updates), latent noise drawn with a
`SeedGenerator`. The draws differ between libraries, so results are checked structurally."""

import jax
import numpy as np

from tests.programs.harness import check, seeded_weights


def program(keras):
    latent_dim = 4

    class GAN(keras.Model):
        def __init__(self, discriminator, generator):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.seed_generator = keras.random.SeedGenerator(1337)
            self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
            self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

        @property
        def metrics(self):
            return [self.d_loss_tracker, self.g_loss_tracker]

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn

        def call(self, x):
            return self.discriminator(self.generator(x))

    discriminator = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8),
                                      keras.layers.LeakyReLU(0.2), keras.layers.Dense(1)],
                                     name="discriminator")
    generator = keras.Sequential([keras.Input((latent_dim,)), keras.layers.Dense(8),
                                  keras.layers.LeakyReLU(0.2), keras.layers.Dense(6)],
                                 name="generator")
    gan = GAN(discriminator, generator)
    seeded_weights(discriminator, seed=1)
    seeded_weights(generator, seed=2)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3),
                loss_fn=keras.losses.BinaryCrossentropy(from_logits=True))
    gan.d_optimizer.build(discriminator.trainable_variables)
    gan.g_optimizer.build(generator.trainable_variables)

    def d_loss(d_trainable, d_non_trainable, real, fake):
        images = keras.ops.concatenate([fake, real], axis=0)
        labels = keras.ops.concatenate([keras.ops.ones((fake.shape[0], 1)),
                                        keras.ops.zeros((real.shape[0], 1))], axis=0)
        logits, _ = discriminator.stateless_call(d_trainable, d_non_trainable, images)
        return gan.loss_fn(labels, logits)

    def g_loss(g_trainable, g_non_trainable, d_trainable, d_non_trainable, noise):
        fake, _ = generator.stateless_call(g_trainable, g_non_trainable, noise)
        logits, _ = discriminator.stateless_call(d_trainable, d_non_trainable, fake)
        return gan.loss_fn(keras.ops.zeros((noise.shape[0], 1)), logits)

    @jax.jit
    def train_step(state, real, noise):
        d_vars, d_opt, g_vars, g_opt = state
        fake, _ = generator.stateless_call(g_vars, [], noise)
        d_value, d_grads = jax.value_and_grad(d_loss)(d_vars, [], real, fake)
        d_vars, d_opt = gan.d_optimizer.stateless_apply(d_opt, d_grads, d_vars)
        g_value, g_grads = jax.value_and_grad(g_loss)(g_vars, [], d_vars, [], noise)
        g_vars, g_opt = gan.g_optimizer.stateless_apply(g_opt, g_grads, g_vars)
        return (d_value, g_value), (d_vars, d_opt, g_vars, g_opt)

    state = tuple([v.value for v in variables] for variables in (
        discriminator.trainable_variables, gan.d_optimizer.variables,
        generator.trainable_variables, gan.g_optimizer.variables))
    rng = np.random.default_rng(8)
    real_data = rng.normal(1.0, 0.5, size=(32, 6)).astype("float32")
    d_losses, g_losses = [], []
    for step in range(0, 32, 8):
        noise = keras.random.normal((8, latent_dim), seed=gan.seed_generator)
        (d_value, g_value), state = train_step(state, real_data[step:step + 8], noise)
        gan.d_loss_tracker.update_state(d_value)
        gan.g_loss_tracker.update_state(g_value)
        d_losses.append(float(d_value))
        g_losses.append(float(g_value))
    for variable, value in zip(generator.trainable_variables, state[2]):
        variable.assign(value)
    samples = generator.predict(np.zeros((2, latent_dim), "float32"), verbose=0)
    return {"metric_names": [m.name for m in gan.metrics],
            "finite": bool(np.isfinite(d_losses + g_losses).all()),
            "steps": len(d_losses), "sample_shape": list(samples.shape),
            "tracked_mean_close": bool(abs(float(gan.d_loss_tracker.result())
                                           - np.mean(d_losses)) < 1e-5)}


def test_gan(keras):
    results = check(program, keras)
    assert results["finite"] and results["tracked_mean_close"]
