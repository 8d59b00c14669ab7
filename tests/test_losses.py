import numpy as np
import pytest

from core.training.losses import last_step_mask, mse, softmax_cross_entropy
from gradcheck import numerical_grad, rel_error


def test_mse_gradient_and_mask():
    rng = np.random.default_rng(0)
    y, target = rng.standard_normal((5, 3, 2)), rng.standard_normal((5, 3, 2))
    mask = last_step_mask(5, 3)
    loss, dy = mse(y, target, mask)
    assert loss == pytest.approx(np.mean((y[-1] - target[-1]) ** 2))
    assert rel_error(dy, numerical_grad(lambda: mse(y, target, mask)[0], y)) < 1e-6
    assert np.all(dy[:-1] == 0)


def test_cross_entropy_gradient():
    rng = np.random.default_rng(1)
    y = rng.standard_normal((4, 3, 5))
    labels = rng.integers(0, 5, (4, 3))
    loss, dy = softmax_cross_entropy(y, labels)
    logp = y - np.log(np.exp(y).sum(-1, keepdims=True))
    want = -np.mean(np.take_along_axis(logp, labels[..., None], -1))
    assert loss == pytest.approx(want)
    assert rel_error(dy, numerical_grad(lambda: softmax_cross_entropy(y, labels)[0], y)) < 1e-6


def test_cross_entropy_is_stable_for_huge_logits():
    loss, dy = softmax_cross_entropy(np.array([[[1000.0, 0.0]]]), np.array([[0]]))
    assert loss == pytest.approx(0.0) and np.isfinite(dy).all()


def test_bad_targets_and_masks():
    with pytest.raises(ValueError, match="labels must be whole numbers in"):
        softmax_cross_entropy(np.zeros((2, 1, 3)), np.array([[3], [0]]))
    with pytest.raises(ValueError, match="mask selects no step"):
        mse(np.zeros((2, 1, 1)), np.zeros((2, 1, 1)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="target must have the shape of y"):
        mse(np.zeros((2, 1, 1)), np.zeros((2, 1, 2)))


def test_mse_is_linear_in_a_mask_of_weights_and_its_gradient_matches_central_differences():
    rng = np.random.default_rng(2)
    y, target = rng.standard_normal((6, 3, 2)), rng.standard_normal((6, 3, 2))
    half = np.full((6, 3), 0.5)
    # a uniform weight is normalised away: every step at 0.5 is the plain mean
    assert mse(y, target, half)[0] == pytest.approx(np.mean((y - target) ** 2), rel=1e-14)
    for mask in (half, rng.uniform(0.0, 1.0, (6, 3))):
        loss, dy = mse(y, target, mask)
        want = np.sum(mask[:, :, None] * (y - target) ** 2) / (mask.sum() * 2)
        assert loss == pytest.approx(want, rel=1e-14)
        assert rel_error(dy, numerical_grad(lambda: mse(y, target, mask)[0], y)) < 1e-7
