"""Export fitted skae estimators to ONNX, alone or inside scikit-learn pipelines.

Needs the optional extra ``onnx`` (``pip install "skae[onnx]"``: onnx,
onnxruntime and skl2onnx).

Two ways in:

- :func:`to_onnx` exports one method of one fitted estimator
  (``transform``, ``inverse_transform`` or ``score_samples`` of an
  autoencoder; ``predict`` or ``predict_proba`` of an
  :class:`~skae.EncoderClassifier`; ``score_samples``,
  ``decision_function`` or ``predict`` of a
  :class:`~skae.ReconstructionOutlierDetector`).
- :func:`register_converters` (called when this module is imported)
  teaches skl2onnx to convert every skae autoencoder, the classifier and the
  detector, so that ``skl2onnx.to_onnx(pipeline, X[:1])`` converts a pipeline
  with skae steps. An autoencoder step outputs its codes (``transform``); the
  classifier, like scikit-learn's, ``label`` and ``probabilities`` (options
  ``zipmap`` and ``nocl`` as for them); the detector, like
  scikit-learn's outlier detectors in skl2onnx, outputs ``label``
  (``predict``) and ``scores`` (``decision_function``), and
  ``score_samples`` too with ``options={id(detector): {"score_samples": True}}``.

Each export traces exactly the torch code that skae's own methods run (the
module's ``encode`` or ``decode``, with the standardisation that lives inside
it), on a CPU copy of the module in eval mode, through torch's TorchScript
ONNX exporter: so a model fitted on a GPU exports on a CPU-only machine, and
a denoising model does not corrupt its input. The network part computes in
float32 also for float64 input (onnxruntime has no float64 ELU), so float64
results match skae's to float32's precision.
"""

import copy
import io
import warnings

import numpy as np
import torch
from torch import nn

from ._base import BaseAutoencoder
from .classifier import EncoderClassifier
from .outlier import ReconstructionOutlierDetector, _PPCADistance

try:
    import onnx
    from onnx import numpy_helper
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        'skae.onnx needs the optional extra "onnx": pip install "skae[onnx]" '
        "(onnx, onnxruntime, skl2onnx)."
    ) from error

__all__ = ["to_onnx", "register_converters"]

# The newest opset torch's TorchScript exporter writes.
MAX_OPSET = 20

AUTOENCODER_METHODS = ("transform", "inverse_transform", "score_samples", "predict")
DETECTOR_METHODS = ("score_samples", "decision_function", "predict")
CLASSIFIER_METHODS = ("predict", "predict_proba")


class _Method(nn.Module):
    """One inference method of an estimator as a torch module: ``fn(network, X)``.

    The network computes in float32 whatever the input's type, and the
    result is cast back to it: onnxruntime has no float64 kernels for some
    activations (ELU among them).
    """

    def __init__(self, network: nn.Module, fn):
        super().__init__()
        self.network = network
        self.fn = fn

    def forward(self, x):
        return self.fn(self.network, x.float()).to(x.dtype)


def _cpu_copy(module: nn.Module) -> nn.Module:
    return copy.deepcopy(module).cpu().float().eval()


def _autoencoder_method(estimator: BaseAutoencoder, method: str) -> nn.Module:
    if method not in AUTOENCODER_METHODS or not hasattr(estimator, method):
        raise ValueError(
            f"method must be one of {AUTOENCODER_METHODS} that "
            f"{type(estimator).__name__} has, got {method!r}."
        )
    network = _cpu_copy(estimator.net_.module_)
    fn = {
        "transform": lambda net, x: net.encode(x),
        "inverse_transform": lambda net, x: net.decode(x),
        "score_samples": estimator._as_built()._row_scores,
        "predict": _predicted_targets(estimator),  # EncoderDecoderRegressor's Ŷ
    }[method]
    return _Method(network, fn)


def _predicted_targets(estimator):
    """The regressor's Ŷ, 1-D where it was fitted on a 1-D y, as ``predict`` gives it."""
    if getattr(estimator, "_y_1d", False):
        return lambda net, x: net(x).reconstruction[:, 0]
    return lambda net, x: net(x).reconstruction


class _ClassProbabilities(nn.Module):
    """``EncoderClassifier.predict_proba`` in torch: the softmax of the head's logits."""

    def __init__(self, classifier: EncoderClassifier):
        super().__init__()
        self.network = _cpu_copy(classifier.net_.module_)

    def forward(self, x):
        return torch.softmax(self.network(x.float()), dim=1).to(x.dtype)


class _DetectorScores(nn.Module):
    """``ReconstructionOutlierDetector.score_samples`` in torch, for export.

    The same steps as the detector's: each network's distance (the
    probabilistic-PCA distance of code and residual, or minus the
    estimator's own row score), standardised by that network's median and
    MAD, averaged and negated. The Gaussian part runs in float64, as it does
    in numpy; its Cholesky solve becomes a product with the factor's inverse.
    """

    def __init__(self, detector: ReconstructionOutlierDetector):
        super().__init__()
        for estimator in detector.estimators_:
            if not isinstance(estimator, BaseAutoencoder):
                raise TypeError(
                    "to_onnx exports detectors whose estimator is a skae autoencoder; "
                    f"this one's is {type(estimator).__name__}."
                )
        self.networks = nn.ModuleList(
            _cpu_copy(estimator.net_.module_) for estimator in detector.estimators_
        )
        self.row_scores = [e._as_built()._row_scores for e in detector.estimators_]
        self.ppca = [isinstance(d, _PPCADistance) for d in detector._distances]
        for i, (distance, (location, scale)) in enumerate(
            zip(detector._distances, detector._standardizers, strict=True)
        ):
            self.register_buffer(f"standardizer_{i}", torch.tensor([location, scale]).double())
            if isinstance(distance, _PPCADistance):
                gaussian, residual_variance = distance.fit_
                whitening = np.linalg.inv(gaussian.factor)
                self.register_buffer(f"location_{i}", torch.from_numpy(gaussian.location))
                self.register_buffer(f"whitening_{i}", torch.from_numpy(whitening.T.copy()))
                self.register_buffer(f"residual_variance_{i}", torch.tensor(residual_variance))

    def _distance(self, i: int, x):
        network = self.networks[i]
        if not self.ppca[i]:
            return -self.row_scores[i](network, x).double()
        codes = network.encode(x)
        residuals = network.decode(codes) - x
        codes, residuals = codes.double(), residuals.double()
        whitened = (codes - getattr(self, f"location_{i}")) @ getattr(self, f"whitening_{i}")
        total = (whitened * whitened).sum(1) + (residuals * residuals).sum(1) / getattr(
            self, f"residual_variance_{i}"
        )
        return torch.log(total / (codes.shape[1] + residuals.shape[1]) + 1e-12)

    def forward(self, x):
        x = x.float()  # as _Method: the networks compute in float32
        total = 0.0
        for i in range(len(self.networks)):
            location, scale = getattr(self, f"standardizer_{i}")
            total = total + (self._distance(i, x) - location) / scale
        return -total / len(self.networks)


class _DetectorMethod(nn.Module):
    """The detector's ``score_samples``, ``decision_function`` and ``predict`` from its scores."""

    def __init__(self, detector: ReconstructionOutlierDetector, methods, score_dtype):
        super().__init__()
        for method in methods:
            if method not in DETECTOR_METHODS:
                raise ValueError(f"method must be one of {DETECTOR_METHODS}, got {method!r}.")
        self.scores = _DetectorScores(detector)
        self.methods = tuple(methods)
        self.score_dtype = score_dtype
        self.register_buffer("offset", torch.tensor(float(detector.offset_)).double())

    def forward(self, x):
        score_samples = self.scores(x)
        decision = score_samples - self.offset
        outputs = {
            "score_samples": score_samples.to(self.score_dtype),
            "decision_function": decision.to(self.score_dtype),
            "predict": torch.where(decision < 0, -1, 1).long(),
        }
        return tuple(outputs[method] for method in self.methods)


def _export(module: nn.Module, n_features: int, dtype, output_names, opset: int):
    """Trace ``module`` on one row of ``n_features`` to an ONNX model with a dynamic batch axis."""
    example = torch.zeros(1, n_features, dtype=torch.float64 if dtype == np.float64 else None)
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        # The TorchScript exporter is the one that traces Python control flow
        # as it runs; torch now prefers its torch.export-based exporter.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            (example,),
            buffer,
            dynamo=False,
            input_names=["X"],
            output_names=list(output_names),
            dynamic_axes={name: {0: "N"} for name in ["X", *output_names]},
            opset_version=min(opset, MAX_OPSET),
        )
    return onnx.load_model_from_string(buffer.getvalue())


def to_onnx(estimator, method=None, *, dtype=np.float32, target_opset=MAX_OPSET):
    """Export one inference method of a fitted skae estimator to an ONNX model.

    Parameters
    ----------
    estimator : fitted skae autoencoder, EncoderClassifier or ReconstructionOutlierDetector
    method : str, default=None
        ``"transform"`` (the default), ``"inverse_transform"`` or
        ``"score_samples"`` for an autoencoder; ``"predict"`` (the default)
        or ``"predict_proba"`` for the classifier; ``"score_samples"``,
        ``"decision_function"`` or ``"predict"`` (the default) for the
        detector.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        The input's element type. The network computes in float32 either way
        (onnxruntime lacks float64 kernels for some activations); outputs have
        the input's type, the detector's scores float64 as skae returns them,
        the classifier's labels int64 (string labels: strings).
    target_opset : int, default=20
        ONNX opset of the graph (at most 20, the newest torch's TorchScript
        exporter writes).

    Returns
    -------
    model : onnx.ModelProto
        Input ``"X"`` of shape (N, n_features) (``inverse_transform``:
        (N, n_components)); output named after ``method``.

    Examples
    --------
    >>> import numpy as np, onnxruntime
    >>> from sklearn.datasets import load_digits
    >>> from skae import Autoencoder
    >>> from skae.onnx import to_onnx
    >>> X = load_digits().data.astype(np.float32)
    >>> model = Autoencoder(n_components=8, max_epochs=2, random_state=0).fit(X)
    >>> session = onnxruntime.InferenceSession(to_onnx(model).SerializeToString())
    >>> codes = session.run(None, {"X": X[:5]})[0]
    >>> float(np.abs(codes - model.transform(X[:5])).max()) < 1e-5
    True
    """
    dtype = np.dtype(dtype).type
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be numpy.float32 or numpy.float64, got {dtype!r}.")
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    if isinstance(estimator, ReconstructionOutlierDetector):
        method = method or "predict"
        score_dtype = torch.float64
        module = _DetectorMethod(estimator, [method], score_dtype)
        n_features = estimator.n_features_in_
    elif isinstance(estimator, EncoderClassifier):
        return _classifier_model(estimator, method or "predict", dtype, target_opset)
    elif isinstance(estimator, BaseAutoencoder):
        method = method or "transform"
        module = _autoencoder_method(estimator, method)
        decoding = method == "inverse_transform"
        n_features = estimator._n_features_out if decoding else estimator.n_features_in_
    else:
        raise TypeError(
            "to_onnx exports skae autoencoders, EncoderClassifier and "
            f"ReconstructionOutlierDetector, got {type(estimator).__name__}."
        )
    return _export(module, n_features, dtype, [method], target_opset)


def _classifier_model(classifier: EncoderClassifier, method: str, dtype, opset: int):
    """The classifier's skl2onnx conversion (without ZipMap), its one output named ``method``."""
    if method not in CLASSIFIER_METHODS:
        raise ValueError(f"method must be one of {CLASSIFIER_METHODS}, got {method!r}.")
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    tensor_type = DoubleTensorType if dtype == np.float64 else FloatTensorType
    model = convert_sklearn(
        classifier,
        initial_types=[("X", tensor_type([None, classifier.n_features_in_]))],
        options={id(classifier): {"zipmap": False}},
        target_opset=min(opset, MAX_OPSET),
    )
    label, probabilities = model.graph.output
    kept = copy.deepcopy(label if method == "predict" else probabilities)
    model.graph.node.append(onnx.helper.make_node("Identity", [kept.name], [method]))
    kept.name = method
    del model.graph.output[:]
    model.graph.output.append(kept)
    return model


# -- skl2onnx ---------------------------------------------------------------


def _input_dtype(variable):
    from skl2onnx.common.data_types import DoubleTensorType

    return np.float64 if isinstance(variable.type, DoubleTensorType) else np.float32


def _autoencoder_shape(operator):
    rows = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = operator.inputs[0].type.__class__(
        [rows, operator.raw_operator._n_features_out]
    )


def _detector_shape(operator):
    from skl2onnx.common.data_types import Int64TensorType

    rows = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = Int64TensorType([rows])
    for output in operator.outputs[1:]:
        output.type = operator.inputs[0].type.__class__([rows, 1])


def _parse_detector(scope, model, inputs, custom_parsers=None):
    """Outputs ``label`` and ``scores`` (as skl2onnx's outlier detectors), and ``score_samples``."""
    from skl2onnx.common.data_types import Int64TensorType, guess_tensor_type

    operator = scope.declare_local_operator(_ALIASES[type(model)], model)
    operator.inputs = inputs
    score_type = guess_tensor_type(inputs[0].type)
    operator.outputs.append(scope.declare_local_variable("label", Int64TensorType()))
    operator.outputs.append(scope.declare_local_variable("scores", score_type))
    if scope.get_options(model, {"score_samples": False})["score_samples"]:
        operator.outputs.append(scope.declare_local_variable("score_samples", score_type))
    return operator.outputs


def _inline(graph, scope, container, inputs: dict, outputs: dict, opset: int):
    """Copy ``graph``'s nodes and weights into skl2onnx's ``container`` under fresh names."""
    names = {"": "", **inputs, **outputs}

    def rename(name):
        if name not in names:
            names[name] = scope.get_unique_variable_name(f"skae_{name.strip('/.')}")
        return names[name]

    for weight in graph.initializer:
        array = numpy_helper.to_array(weight)
        container.add_initializer(
            rename(weight.name), weight.data_type, list(array.shape), numpy_helper.from_array(array)
        )
    for node in graph.node:
        attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        container.add_node(
            node.op_type,
            [rename(name) for name in node.input],
            [rename(name) for name in node.output],
            op_domain=node.domain,
            op_version=opset,
            name=scope.get_unique_operator_name(f"skae_{node.op_type}"),
            **attributes,
        )


def _convert_autoencoder(scope, operator, container):
    estimator = operator.raw_operator
    dtype = _input_dtype(operator.inputs[0])
    opset = min(container.target_opset, MAX_OPSET)
    module = _autoencoder_method(estimator, "transform")
    model = _export(module, estimator.n_features_in_, dtype, ["transform"], opset)
    _inline(
        model.graph,
        scope,
        container,
        {"X": operator.inputs[0].full_name},
        {"transform": operator.outputs[0].full_name},
        opset,
    )


def _convert_detector(scope, operator, container):
    detector = operator.raw_operator
    dtype = _input_dtype(operator.inputs[0])
    opset = min(container.target_opset, MAX_OPSET)
    methods = ["predict", "decision_function", "score_samples"][: len(operator.outputs)]
    score_dtype = torch.float64 if dtype == np.float64 else torch.float32
    module = _ColumnScores(_DetectorMethod(detector, methods, score_dtype))
    model = _export(module, detector.n_features_in_, dtype, methods, opset)
    _inline(
        model.graph,
        scope,
        container,
        {"X": operator.inputs[0].full_name},
        {m: v.full_name for m, v in zip(methods, operator.outputs, strict=True)},
        opset,
    )


def _convert_classifier(scope, operator, container):
    """``label`` (the most probable class) and ``probabilities``, as skl2onnx's classifiers."""
    from skl2onnx.common.utils_classifier import get_label_classes

    classifier = operator.raw_operator
    dtype = _input_dtype(operator.inputs[0])
    opset = min(container.target_opset, MAX_OPSET)
    label, probabilities = (v.full_name for v in operator.outputs)
    model = _export(
        _ClassProbabilities(classifier), classifier.n_features_in_, dtype, ["proba"], opset
    )
    _inline(
        model.graph,
        scope,
        container,
        {"X": operator.inputs[0].full_name},
        {"proba": probabilities},
        opset,
    )
    # label = classes[argmax(probabilities)]: integer labels as int64, others as
    # strings, the types skl2onnx's shape calculator gives the label output.
    classes = get_label_classes(scope, classifier)
    if all(isinstance(c, str) for c in classes):
        element_type, classes = onnx.TensorProto.STRING, np.array([c.encode() for c in classes])
    else:
        element_type, classes = onnx.TensorProto.INT64, np.asarray(classes).astype(np.int64)
    classes_name = scope.get_unique_variable_name("skae_classes")
    container.add_initializer(classes_name, element_type, list(classes.shape), classes.tolist())
    index = scope.get_unique_variable_name("skae_class_index")
    container.add_node(
        "ArgMax",
        [probabilities],
        [index],
        axis=1,
        keepdims=0,
        name=scope.get_unique_operator_name("skae_ArgMax"),
    )
    picked = scope.get_unique_variable_name("skae_picked_class")
    container.add_node(
        "ArrayFeatureExtractor",
        [classes_name, index],
        [picked],
        op_domain="ai.onnx.ml",
        name=scope.get_unique_operator_name("skae_ArrayFeatureExtractor"),
    )
    flat = scope.get_unique_variable_name("skae_flat_shape")  # (1, N) -> (N,)
    container.add_initializer(flat, onnx.TensorProto.INT64, [1], [-1])
    container.add_node(
        "Reshape", [picked, flat], [label], name=scope.get_unique_operator_name("skae_Reshape")
    )


class _ColumnScores(nn.Module):
    """Scores as (N, 1) columns, the shape skl2onnx's outlier detectors give them."""

    def __init__(self, method: _DetectorMethod):
        super().__init__()
        self.method = method

    def forward(self, x):
        label, *scores = self.method(x)
        return (label, *(s.reshape(-1, 1) for s in scores))


def _public_autoencoders():
    import skae

    return [
        cls
        for cls in vars(skae).values()
        if isinstance(cls, type) and issubclass(cls, BaseAutoencoder)
    ]


_ALIASES = {}


def register_converters() -> None:
    """Register skl2onnx converters for every skae autoencoder, the classifier and the detector.

    Called when :mod:`skae.onnx` is imported; calling it again is harmless.
    """
    from skl2onnx import update_registered_converter
    from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes

    for cls in _public_autoencoders():
        _ALIASES[cls] = f"Skae{cls.__name__}"
        update_registered_converter(cls, _ALIASES[cls], _autoencoder_shape, _convert_autoencoder)
    _ALIASES[EncoderClassifier] = "SkaeEncoderClassifier"
    update_registered_converter(
        EncoderClassifier,
        _ALIASES[EncoderClassifier],
        calculate_linear_classifier_output_shapes,
        _convert_classifier,
        options={"zipmap": [True, False, "columns"], "nocl": [True, False]},
    )
    _ALIASES[ReconstructionOutlierDetector] = "SkaeReconstructionOutlierDetector"
    update_registered_converter(
        ReconstructionOutlierDetector,
        _ALIASES[ReconstructionOutlierDetector],
        _detector_shape,
        _convert_detector,
        parser=_parse_detector,
        options={"score_samples": [False, True]},
    )


try:
    register_converters()
except ImportError:  # pragma: no cover - skl2onnx absent: to_onnx still works
    pass
