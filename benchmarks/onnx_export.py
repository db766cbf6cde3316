"""ONNX export against skae's own outputs: every variant (MLP and conv), pipelines, the detector.

Each model is fitted on scikit-learn's digits (scaled to [0, 1]) for
``--epochs`` epochs, exported with :func:`skae.onnx.to_onnx` and, inside
``Pipeline([StandardScaler(), model, LogisticRegression()])``, with
skl2onnx's ``to_onnx``; onnxruntime runs each graph on the held-out rows and
the table gives the largest absolute difference from skae's result (and
the export's time). Needs the extra ``onnx``.

    python benchmarks/onnx_export.py [--epochs 10]
"""

import argparse
import time

import numpy as np
import onnxruntime
import skl2onnx
from _common import write_result
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import (
    VAE,
    Autoencoder,
    ContractiveAE,
    ConvAE,
    DenoisingAE,
    LinearAE,
    ReconstructionOutlierDetector,
    SparseAE,
)
from skae.onnx import to_onnx

IMAGE = dict(image_shape=(1, 8, 8))
VARIANTS = {
    "Autoencoder(16)": lambda **kw: Autoencoder(16, **kw),
    "LinearAE(16, tied)": lambda **kw: LinearAE(16, tied=True, **kw),
    "SparseAE() (top-k)": lambda **kw: SparseAE(**kw),
    "SparseAE(kl)": lambda **kw: SparseAE(sparsity="kl", **kw),
    "SparseAE(l1)": lambda **kw: SparseAE(sparsity="l1", **kw),
    "DenoisingAE(16)": lambda **kw: DenoisingAE(16, **kw),
    "ContractiveAE(16)": lambda **kw: ContractiveAE(16, **kw),
    "VAE(16)": lambda **kw: VAE(16, **kw),
    "VAE(16, bernoulli)": lambda **kw: VAE(16, likelihood="bernoulli", **kw),
    "ConvAE(16)": lambda **kw: ConvAE(16, **IMAGE, **kw),
    "LinearAE conv": lambda **kw: LinearAE(16, architecture="conv", tied=True, **IMAGE, **kw),
    "SparseAE conv topk": lambda **kw: SparseAE(
        architecture="conv", sparsity="topk", **IMAGE, **kw
    ),
    "DenoisingAE conv": lambda **kw: DenoisingAE(16, architecture="conv", **IMAGE, **kw),
    "ContractiveAE conv": lambda **kw: ContractiveAE(16, architecture="conv", **IMAGE, **kw),
    "VAE conv": lambda **kw: VAE(16, architecture="conv", **IMAGE, **kw),
}


def run(model, X):
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X})


def difference(a, b) -> float:
    return float(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).max())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=0)
    lines = [
        f"Digits, {len(X_train)} training and {len(X_test)} held-out rows, {args.epochs} "
        "epochs. Largest absolute difference between onnxruntime's output and skae's.",
        "",
        "| model | transform f32 | inverse_transform f32 | score_samples f32 | "
        "transform f64 | pipeline predict_proba f32 | export (s) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, make in VARIANTS.items():
        model = make(max_epochs=args.epochs, random_state=0).fit(X_train)
        start = time.perf_counter()
        exported = to_onnx(model)
        seconds = time.perf_counter() - start
        codes = model.transform(X_test)
        row = [
            difference(run(exported, X_test)[0], codes),
            difference(
                run(to_onnx(model, "inverse_transform"), codes)[0], model.inverse_transform(codes)
            ),
            difference(
                run(to_onnx(model, "score_samples"), X_test)[0], model.score_samples(X_test)
            ),
            difference(
                run(to_onnx(model, dtype=np.float64), X_test.astype(np.float64))[0],
                model.transform(X_test.astype(np.float64)),
            ),
        ]
        pipe = make_pipeline(StandardScaler(), model, LogisticRegression(max_iter=1000))
        pipe.fit(X_train, y_train)
        graph = skl2onnx.to_onnx(pipe, X_test[:1], options={"zipmap": False})
        labels, proba = run(graph, X_test)
        assert (labels == pipe.predict(X_test)).all()
        row.append(difference(proba, pipe.predict_proba(X_test)))
        cells = " | ".join(f"{value:.1e}" for value in row)
        lines.append(f"| {name} | {cells} | {seconds:.2f} |")
        print(lines[-1], flush=True)
    detector = ReconstructionOutlierDetector(random_state=0).fit(X_train)
    outliers = np.vstack([X_test, X_test[:50] + 1.0]).astype(np.float32)
    detector_row = [
        difference(run(to_onnx(detector, method), outliers)[0], getattr(detector, method)(outliers))
        for method in ("score_samples", "decision_function")
    ]
    labels = run(to_onnx(detector, "predict"), outliers)[0]
    detector_row.append(int((labels != detector.predict(outliers)).sum()))
    lines += [
        "",
        "ReconstructionOutlierDetector (default) on the held-out rows and 50 shifted ones: "
        f"score_samples {detector_row[0]:.1e}, decision_function {detector_row[1]:.1e}, "
        f"predict: {detector_row[2]} of {len(outliers)} labels differ.",
    ]
    write_result("onnx_export", "\n".join(lines))


if __name__ == "__main__":
    main()
