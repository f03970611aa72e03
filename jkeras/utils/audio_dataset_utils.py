"""`audio_dataset_from_directory`: a dataset of WAV files from class subfolders, decoded with
Python's `wave` module into float32 samples in [-1, 1], as `tf.audio.decode_wav` gives them."""

import functools
import math
import wave

import numpy as np

from jkeras.utils import directory_index, file_dataset, tf_data

ALLOWED_FORMATS = (".wav",)


def audio_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    sampling_rate=None,
    output_sequence_length=None,
    ragged=False,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    follow_links=False,
    verbose=True,
    format="pydataset",
):
    """Generates a dataset of audio clips from a directory of class subfolders of `.wav` files.

    Args:
        directory: the data folder; with `labels="inferred"` it holds one subfolder per class.
        labels: `"inferred"`, None (no labels), or a list of integer labels, one per file in the
            sorted order of the paths.
        label_mode: `"int"`, `"categorical"`, `"binary"` or None (see
            `image_dataset_from_directory`).
        class_names: with inferred labels, the subfolders to use, in label order.
        batch_size: clips per batch; None yields single clips.
        sampling_rate: resample every clip to this rate (with `scipy.signal.resample_poly`;
            Keras needs tensorflow-io for it); None keeps each file's rate.
        output_sequence_length: cut or zero-pad every clip to this many samples; None pads
            each batch to its longest clip.
        ragged: yield ragged batches (`format="tf"` only, as `tf.RaggedTensor`s).
        shuffle: shuffle the files (and reshuffle after every epoch); False sorts them.
        seed: the shuffle's seed (needed with `validation_split` and `shuffle`).
        validation_split: fraction of the files held out for validation (the last ones).
        subset: `"training"`, `"validation"` or `"both"` (returns `(training, validation)`).
        follow_links: descend into symlinked folders.
        verbose: print how many files and classes were found.
        format: `"pydataset"` (jkeras's default) or `"tf"` (a `tf.data.Dataset`, what Keras
            always returns; needs TensorFlow). A jkeras addition.

    Returns:
        A dataset (or `(training, validation)`) yielding `(audio, labels)` batches, or audio
        alone without labels: float32 `(batch, samples, channels)`, with a `class_names`
        attribute.
    """
    labels, label_mode = directory_index.check_labels_arguments(labels, label_mode, class_names,
                                                                "audio")
    if ragged and output_sequence_length is not None:
        raise ValueError("Cannot set both `ragged` and `output_sequence_length`")
    if sampling_rate is not None and (
        not isinstance(sampling_rate, int) or sampling_rate <= 0
    ):
        raise ValueError(
            "`sampling_rate` should be an integer higher than 0. "
            f"Received: sampling_rate={sampling_rate}"
        )
    file_dataset.check_format(format)
    if ragged and format != "tf":
        raise ValueError('`ragged=True` yields tf.RaggedTensors: it needs `format="tf"`.')
    class_names, parts = directory_index.index_subsets(
        directory, labels, label_mode, class_names, ALLOWED_FORMATS, "audio files", shuffle,
        seed, validation_split, subset, follow_links, verbose,
    )
    read = functools.partial(
        read_wav, sampling_rate=sampling_rate, output_sequence_length=output_sequence_length
    )
    datasets = [
        _build(paths, part_labels, label_mode, class_names, read, batch_size, part_shuffle,
               part_seed, format, output_sequence_length, ragged)
        for paths, part_labels, part_shuffle, part_seed in parts
    ]
    return tuple(datasets) if subset == "both" else datasets[0]


def _build(paths, labels, label_mode, class_names, read, batch_size, shuffle, seed, format,
           output_sequence_length, ragged):
    x_spec = ((output_sequence_length, None), "float32")
    if not ragged:
        return file_dataset.build(paths, labels, label_mode, class_names, read, pad_batch,
                                  batch_size, shuffle, seed, format, x_spec)
    # As Keras: single clips, each made a RaggedTensor, batched by tf.data.
    tf = tf_data.import_tensorflow()
    samples = file_dataset.build(paths, labels, label_mode, class_names, read, pad_batch, None,
                                 shuffle, seed, "tf", x_spec)
    if label_mode is None:
        samples = samples.map(tf.RaggedTensor.from_tensor)
    else:
        samples = samples.map(lambda x, y: (tf.RaggedTensor.from_tensor(x), y))
    dataset = samples if batch_size is None else samples.batch(batch_size)
    dataset.class_names = class_names
    return dataset


def read_wav(path, sampling_rate=None, output_sequence_length=None):
    """Decodes the PCM WAV file at `path` into float32 `(samples, channels)` in [-1, 1],
    resampled to `sampling_rate` and cut or zero-padded to `output_sequence_length`."""
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as error:
        raise ValueError(f"Cannot decode {path} as a PCM WAV file: {error}") from error
    audio = _pcm_to_float(frames, width).reshape(-1, channels)
    if sampling_rate is not None and sampling_rate != rate:
        audio = _resample(audio, rate, sampling_rate)
    if output_sequence_length is not None:
        audio = audio[:output_sequence_length]
        padding = output_sequence_length - len(audio)
        audio = np.pad(audio, ((0, padding), (0, 0))) if padding else audio
    return audio


def _pcm_to_float(frames, width):
    if width == 1:  # 8-bit WAV samples are unsigned
        return (np.frombuffer(frames, np.uint8).astype(np.float32) - 128) / 128
    if width == 3:  # 24-bit: widen each little-endian triplet to an int32's top bytes
        triplets = np.frombuffer(frames, np.uint8).reshape(-1, 3)
        padded = np.zeros((len(triplets), 4), np.uint8)
        padded[:, 1:] = triplets
        return padded.view("<i4")[:, 0].astype(np.float32) / 2.0**31
    if width in (2, 4):
        return np.frombuffer(frames, f"<i{width}").astype(np.float32) / 2.0 ** (8 * width - 1)
    raise ValueError(f"Unsupported WAV sample width: {width} bytes.")


def _resample(audio, rate, target):
    try:  # on use: scipy is optional
        from scipy import signal
    except ImportError as error:
        raise ImportError(
            "`sampling_rate` resamples the audio with scipy: `pip install scipy`."
        ) from error
    divisor = math.gcd(rate, target)
    return signal.resample_poly(audio, target // divisor, rate // divisor, axis=0).astype(
        np.float32
    )


def pad_batch(clips):
    """Stacks `(samples, channels)` clips, zero-padding them to the longest."""
    length = max(len(clip) for clip in clips)
    batch = np.zeros((len(clips), length, clips[0].shape[1]), np.float32)
    for row, clip in enumerate(clips):
        batch[row, : len(clip)] = clip
    return batch
