"""The torch layer: shapes, mirroring, tied weights, standardisation."""

import torch

from skae.modules import AEOutput, TiedLinear, build_mlp_autoencoder


def test_forward_returns_named_output_with_mirrored_shapes():
    module = build_mlp_autoencoder(10, 3, hidden_layer_sizes=(8, 5))
    out = module(torch.randn(4, 10))
    assert isinstance(out, AEOutput)
    assert out.reconstruction.shape == (4, 10)
    assert out.code.shape == (4, 3)
    widths = [layer.out_features for layer in module.decoder if hasattr(layer, "out_features")]
    assert widths == [5, 8, 10]


def test_tied_decoder_uses_encoder_transpose_and_owns_only_biases():
    untied = build_mlp_autoencoder(10, 3, hidden_layer_sizes=(6,))
    tied = build_mlp_autoencoder(10, 3, hidden_layer_sizes=(6,), tied=True)
    n_untied = sum(p.numel() for p in untied.parameters())
    n_tied = sum(p.numel() for p in tied.parameters())
    assert n_untied - n_tied == 10 * 6 + 6 * 3
    first_decoder = tied.decoder[0]
    assert isinstance(first_decoder, TiedLinear)
    assert torch.equal(first_decoder.weight, tied.encoder[-1].weight.t())
    # The tie holds through training: an optimizer step on the reconstruction
    # moves the one shared weight, and the decoder computes with the moved one.
    torch.manual_seed(0)
    x = torch.randn(16, 10)
    before = tied.encoder[-1].weight.detach().clone()
    optimizer = torch.optim.SGD(tied.parameters(), lr=0.1)
    torch.nn.functional.mse_loss(tied(x).reconstruction, x).backward()
    optimizer.step()
    after = tied.encoder[-1].weight.detach()
    assert not torch.allclose(after, before)
    z = torch.randn(4, 3)
    with torch.no_grad():
        torch.testing.assert_close(first_decoder(z), z @ after + first_decoder.bias)
    assert set(tied.state_dict()) == {
        "mean",
        "scale",
        "code_scale",
        "encoder.0.weight",
        "encoder.0.bias",
        "encoder.2.weight",
        "encoder.2.bias",
        "decoder.0.bias",
        "decoder.2.bias",
    }


def test_standardisation_is_undone_on_the_way_out():
    module = build_mlp_autoencoder(4, 4, activation="identity")
    with torch.no_grad():
        for layer in (module.encoder[0], module.decoder[0]):
            layer.weight.copy_(torch.eye(4))
            layer.bias.zero_()
    module.set_standardization(torch.tensor([1.0, 2.0, 3.0, 4.0]), 10.0)
    x = torch.randn(5, 4) * 10 + 3
    out = module(x)
    torch.testing.assert_close(out.code, (x - module.mean) / 10.0)
    torch.testing.assert_close(out.reconstruction, x)


def test_bce_output_is_sigmoid_of_the_logits():
    module = build_mlp_autoencoder(6, 2, output_activation="sigmoid")
    out = module(torch.rand(3, 6))
    torch.testing.assert_close(out.reconstruction, torch.sigmoid(out.decoded))
