"""`BaseCropping`: the output shape, call and config shared by `Cropping2D` and `Cropping3D`."""

from jkeras.layers.layer import Layer
from jkeras.layers.reshaping._arguments import spatial_axes


class BaseCropping(Layer):
    """Crops `rank` spatial axes; subclasses set `rank` and, in `__init__`, `data_format`
    and `cropping` (one `(start, end)` pair per spatial axis)."""

    rank = None

    def compute_output_shape(self, input_shape):
        output_shape = list(input_shape)
        for axis, crop in zip(spatial_axes(self.data_format, self.rank), self.cropping):
            if output_shape[axis] is None:
                continue
            if sum(crop) >= output_shape[axis]:
                raise ValueError(
                    f"Values in the `cropping` argument of layer '{self.name}' should be "
                    "smaller than the corresponding spatial dimension of the input. Received: "
                    f"input_shape={tuple(input_shape)}, cropping={self.cropping}"
                )
            output_shape[axis] -= sum(crop)
        return tuple(output_shape)

    def call(self, inputs):
        self.compute_output_shape(inputs.shape)
        index = [slice(None)] * (self.rank + 2)
        for axis, (start, end) in zip(spatial_axes(self.data_format, self.rank), self.cropping):
            index[axis] = slice(start, inputs.shape[axis] - end)
        return inputs[tuple(index)]

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}
