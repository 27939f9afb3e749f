"""Tests for cnnmotiv.timing: the fit and extrapolation logic on synthetic data, the
bookkeeping of the timers on tiny sizes, and input validation. No assertion here depends
on how fast this machine is."""

import math

import numpy as np
import pytest
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st

from cnnmotiv import timing
from cnnmotiv.validation import MatrixTooLargeError
from cnnmotiv.counting import count_conv, count_dense
from cnnmotiv.matrices import dense_matrix_nbytes
from cnnmotiv.budget import BudgetError
from cnnmotiv.timing import (Bandwidth, Timings, dense_conclusion, extrapolate_dense,
                             fit_power_law, measure_bandwidth, median_time, time_convolution,
                             time_dense_matvec, time_method, time_sparse_matvec)
from tests.limits import assert_refused

FAST = dict(repeats=1, min_seconds=1e-5)


# ---------------------------------------------------------------- fit_power_law

@given(exponent=st.floats(-3, 3), log_c=st.floats(-20, 5),
       xs=st.lists(st.floats(1, 1e6), min_size=2, max_size=8, unique=True))
def test_fit_recovers_a_known_power_law_exactly(exponent, log_c, xs):
    x = np.array(xs)
    if np.ptp(np.log(x)) < 1e-3:  # numerically a single point
        return
    y = math.exp(log_c) * x ** exponent
    fit = fit_power_law(x, y)
    assert fit.exponent == pytest.approx(exponent, abs=1e-6)
    assert math.log(fit.prefactor) == pytest.approx(log_c, abs=1e-4)
    np.testing.assert_allclose(fit.predict(x), y, rtol=1e-5)


def test_fit_with_noise_agrees_with_scipy_linregress_on_the_logs():
    rng = np.random.default_rng(0)
    x = np.array([64, 144, 256, 576, 1024, 1600, 2304, 3136, 4096], dtype=float)
    y = 3e-10 * x ** 2 * np.exp(rng.normal(0, 0.2, x.size))
    fit = fit_power_law(x, y)
    ref = scipy.stats.linregress(np.log(x), np.log(y))
    assert fit.exponent == pytest.approx(ref.slope, rel=1e-10)
    assert fit.prefactor == pytest.approx(math.exp(ref.intercept), rel=1e-9)
    assert fit.r_squared == pytest.approx(ref.rvalue ** 2, rel=1e-9)
    assert 1.7 < fit.exponent < 2.3  # the noise is small against a 64x range in x


def test_r_squared_is_one_for_an_exact_law_and_lower_with_noise():
    x = np.arange(1, 9, dtype=float)
    assert fit_power_law(x, 5 * x ** 1.5).r_squared == pytest.approx(1.0)
    noisy = 5 * x ** 1.5 * np.array([1, 1.5, 0.7, 1.2, 0.8, 1.4, 0.9, 1.1])
    assert fit_power_law(x, noisy).r_squared < 0.999


def test_predict_scalar_and_array():
    fit = fit_power_law([1, 10], [2, 200])  # y = 2 x^2
    assert isinstance(fit.predict(3), float)
    assert fit.predict(3) == pytest.approx(18)
    np.testing.assert_allclose(fit.predict([1, 2, 4]), [2, 8, 32])
    with pytest.raises(ValueError, match="x must be positive"):
        fit.predict(0)
    with pytest.raises(ValueError, match="x must be finite"):
        fit.predict(np.inf)


@pytest.mark.parametrize("x, y, error, match", [
    ([1, 2, 3], [1, 2], ValueError, "same length"),
    ([1], [1], ValueError, "at least two points"),
    ([1, 0], [1, 2], ValueError, "positive"),
    ([1, 2], [-1, 2], ValueError, "positive"),
    ([1, np.nan], [1, 2], ValueError, "x must be finite"),
    ([1, 2], [1, np.inf], ValueError, "y must be finite"),
    ([3, 3, 3], [1, 2, 3], ValueError, "two distinct"),
    ([[1, 2]], [1, 2], ValueError, "x must be 1-D"),
    ([], [], ValueError, "must not be empty"),
    (["a", "b"], [1, 2], TypeError, "x must be a real numeric array"),
])
def test_fit_rejects_bad_input(x, y, error, match):
    with pytest.raises(error, match=match):
        fit_power_law(x, y)


# ---------------------------------------------------------------- extrapolate_dense

def test_extrapolation_to_the_photo_states_the_section_memory():
    fit = fit_power_law([100, 1000], [1e-5, 1e-3])  # exactly t = 1e-9 m^2
    e = extrapolate_dense(fit)
    assert e.shape == (280, 320) and e.kernel_shape == (3, 3)
    assert e.pixels == 280 * 320
    assert e.macs == 278 * 318 * 280 * 320 == 7_920_998_400
    assert e.macs == count_dense((280, 320), (278, 318)).macs
    assert e.nbytes == 8 * e.macs == dense_matrix_nbytes((280, 320), (3, 3))
    assert e.nbytes / 1e9 == pytest.approx(63.37, abs=0.01)  # "about 63 GB"
    assert e.seconds == pytest.approx(1e-9 * 89_600 ** 2)
    assert e.fit is fit


@given(h=st.integers(3, 60), w=st.integers(3, 60), kh=st.integers(1, 3), kw=st.integers(1, 3),
       p=st.floats(0.5, 3))
def test_extrapolation_matches_counting_and_the_fit(h, w, kh, kw, p):
    fit = fit_power_law([10, 20], [1e-6, 1e-6 * 2 ** p])
    e = extrapolate_dense(fit, (h, w), (kh, kw), dtype=np.float32)
    out = (h - kh + 1, w - kw + 1)
    assert e.macs == count_dense((h, w), out).macs
    assert e.nbytes == dense_matrix_nbytes((h, w), (kh, kw), dtype=np.float32) == 4 * e.macs
    assert e.seconds == pytest.approx(fit.predict(h * w))


def test_extrapolate_rejects_bad_input():
    fit = fit_power_law([1, 2], [1, 4])
    with pytest.raises(TypeError, match="fit must be a PowerLawFit"):
        extrapolate_dense((2.0, 1.0))
    with pytest.raises(ValueError, match=r"shape\[0\] must be an integer >= 1"):
        extrapolate_dense(fit, (0, 5))
    with pytest.raises(TypeError, match="kernel_shape must be an integer or a pair"):
        extrapolate_dense(fit, (5, 5), "3x3")
    with pytest.raises(ValueError, match="mode must be one of"):
        extrapolate_dense(fit, (5, 5), 3, mode="circular")


# ---------------------------------------------------------------- median_time

def test_median_time_takes_the_median_of_a_fake_clock(monkeypatch):
    durations = iter([5.0, 1.0, 3.0, 100.0, 2.0])  # one spoiled measurement (100)
    clock = [0.0]

    def fake_counter():
        return clock[0]

    def work():
        clock[0] += next(durations)

    monkeypatch.setattr(timing.time, "perf_counter", fake_counter)
    assert median_time(work, repeats=5) == 3.0


def test_median_time_divides_by_number_of_calls(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(timing.time, "perf_counter", lambda: clock[0])
    calls = []

    def work():
        calls.append(1)
        clock[0] += 0.5

    assert median_time(work, repeats=3, number=4) == 0.5
    assert len(calls) == 12


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(func=3), TypeError, "func must be callable"),
    (dict(repeats=0), ValueError, "repeats must be an integer >= 1"),
    (dict(number=0), ValueError, "number must be an integer >= 1"),
    (dict(repeats=2.5), TypeError, "repeats must be an integer"),
])
def test_median_time_rejects_bad_input(kwargs, error, match):
    kwargs.setdefault("func", lambda: None)
    with pytest.raises(error, match=match):
        median_time(**kwargs)


# ---------------------------------------------------------------- the timers (bookkeeping only)

def _time_local(shapes, kernel_shape, **options):
    return time_method("locally_connected", shapes, kernel_shape, **options)


@pytest.mark.parametrize("timer, method", [(time_dense_matvec, "dense"),
                                           (_time_local, "locally_connected"),
                                           (time_sparse_matvec, "sparse"),
                                           (time_convolution, "conv")])
def test_timers_count_what_they_run(timer, method):
    shapes = [6, (8, 11)]
    t = timer(shapes, (3, 2), **FAST)
    assert isinstance(t, Timings) and t.method == method
    assert t.shapes == ((6, 6), (8, 11)) and t.kernel_shape == (3, 2) and t.mode == "valid"
    np.testing.assert_array_equal(t.pixels, [36, 88])
    outs = [(4, 5), (6, 10)]
    if method == "dense":
        expected = [count_dense(s, o).macs for s, o in zip(t.shapes, outs)]
        nbytes = [8 * m + 8 * p for m, p in zip(expected, t.pixels)]
    else:
        expected = [count_conv(s, (3, 2)).macs for s in t.shapes]
        nbytes = None
    np.testing.assert_array_equal(t.macs, expected)
    if nbytes is not None:
        np.testing.assert_array_equal(t.nbytes, nbytes)
        assert np.all(t.bytes_per_mac > 8)
    assert t.seconds.shape == (2,)
    np.testing.assert_allclose(t.macs_per_second, t.macs / t.seconds)
    assert repr(t).startswith(f"Timings({method}, 2 sizes [6x6, 8x11]: ")


def test_conv_timer_reads_the_image_and_kernel_once():
    t = time_convolution([(10, 12)], (3, 3), **FAST)
    assert t.nbytes.tolist() == [8 * 120 + 8 * 9]


def test_sparse_timer_counts_one_entry_per_weight_use_in_same_mode():
    t = time_sparse_matvec([7], (3, 3), mode="same", **FAST)
    # zero padding: taps falling outside the image are not stored
    inside = sum(min(i + 1, 6) - max(i - 1, 0) + 1 for i in range(7)) ** 2
    assert t.macs.tolist() == [inside]


def test_dense_timer_refuses_over_budget_before_building_anything(monkeypatch):
    import cnnmotiv.matrices as matrices

    def never(*args, **kwargs):
        raise AssertionError("built a matrix although one shape is over budget")

    monkeypatch.setattr(matrices, "correlation_matrix", never)
    # the 484 x 576 matrix, the image and the output: (484 * 576 + 576 + 484) * 8 bytes
    with pytest.raises(MatrixTooLargeError, match=r"shapes\[1\] = 24 x 24 .* would need "
                                                  r"2,238,752 bytes.*use smaller shapes"):
        time_dense_matvec([4, 24], (3, 3), max_bytes=10**6, **FAST)


def test_threads_pin_the_pools_only_when_asked(monkeypatch):
    import contextlib

    import threadpoolctl

    calls = []

    @contextlib.contextmanager
    def spy(limits=None, **kwargs):
        calls.append(limits)
        yield

    monkeypatch.setattr(threadpoolctl, "threadpool_limits", spy)
    time_convolution([5], (2, 2), threads=None, **FAST)
    assert calls == []
    time_convolution([5], (2, 2), threads=2, **FAST)
    assert calls == [2]


@pytest.mark.parametrize("args, kwargs, error, match", [
    (("fft", [8]), {}, ValueError,
     "method must be one of 'dense', 'locally_connected', 'sparse', 'conv'"),
    (("conv", [8]), dict(mode="wrap"), ValueError, "mode must be one of"),
    (("conv", []), {}, ValueError, "at least one image shape"),
    (("conv", "8x8"), {}, TypeError, "shapes must be a sequence"),
    (("conv", 8), {}, TypeError, "shapes must be a sequence"),
    (("conv", [0]), {}, ValueError, r"shapes\[0\] must be an integer >= 1"),
    (("conv", [8, 2.5]), {}, TypeError, r"shapes\[1\] must be an integer"),
    (("conv", [8, 2]), {}, ValueError, r"kernel_shape \(3, 3\) is larger than shapes\[1\]"),
    (("conv", [8], (0, 3)), {}, ValueError, r"kernel_shape\[0\] must be an integer >= 1"),
    (("conv", [8]), dict(repeats=0), ValueError, "repeats must be an integer >= 1"),
    (("conv", [8]), dict(min_seconds=0), ValueError, "min_seconds must be a positive"),
    (("conv", [8]), dict(min_seconds=float("nan")), ValueError, "min_seconds must be a positive"),
    (("conv", [8]), dict(threads=0), ValueError, "threads must be an integer >= 1"),
])
def test_time_method_rejects_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        time_method(*args, **kwargs)


def test_last_level_cache_is_none_or_positive():
    size = timing.last_level_cache_bytes()
    assert size is None or (isinstance(size, int) and size >= 1024)


def test_last_level_cache_reads_sysfs_layout(tmp_path, monkeypatch):
    for name, kind, size in [("index0", "Data", "32K"), ("index1", "Instruction", "64M"),
                             ("index2", "Unified", "512K"), ("index3", "Unified", "8M")]:
        d = tmp_path / name
        d.mkdir()
        (d / "type").write_text(kind + "\n")
        (d / "size").write_text(size + "\n")
    real = timing.Path
    monkeypatch.setattr(timing, "Path", lambda p: tmp_path if "cpu0/cache" in str(p) else real(p))
    assert timing.last_level_cache_bytes() == 8 * 1024 ** 2


# ---------------------------------------------------------------- scaling_study

def _fake_time_method(method, shapes, kernel_shape=(3, 3), **options):
    """Exact synthetic laws: dense t = 1e-9 m^2, others t = 1e-8 m; nbytes = 8 m^2 or 8 m."""
    shapes = [timing.check_pair(s, "shapes") for s in shapes]
    m = np.array([h * w for h, w in shapes], dtype=np.int64)
    power = 2 if method == "dense" else 1
    scale = 1e-9 if method == "dense" else 1e-8
    return Timings(method=method, shapes=tuple(shapes), kernel_shape=(3, 3), mode="valid",
                   pixels=m, macs=m ** power, nbytes=8 * m ** power,
                   seconds=scale * m.astype(float) ** power)


def test_scaling_study_fits_only_sizes_beyond_the_cache(monkeypatch):
    monkeypatch.setattr(timing, "time_method", _fake_time_method)
    study = timing.scaling_study([8, 16, 32, 64], cache_bytes=1024 ** 2, bandwidth=None)
    # 8 m^2 bytes > 1 MiB only for m = 32^2 (8 MiB) and 64^2 (128 MiB)
    assert study.fitted.tolist() == [False, False, True, True]
    assert study.fit.exponent == pytest.approx(2.0)
    np.testing.assert_array_equal(study.fit.x, [1024, 4096])
    assert study.extrapolation.seconds == pytest.approx(1e-9 * 89_600 ** 2)
    assert study.extrapolation.nbytes == 63_367_987_200
    seconds = study.target_seconds()
    assert seconds["dense"] == study.extrapolation.seconds
    assert seconds["conv"] == pytest.approx(1e-8 * 89_600)
    assert set(seconds) == {"dense", "locally_connected", "sparse", "conv"}
    assert study.mac_ratio == pytest.approx(89_600 / 9)
    assert study.time_ratio == pytest.approx(1e-9 * 89_600 ** 2 / (1e-8 * 89_600))
    assert study.target == (280, 320)
    assert study.others["conv"].shapes[-1] == (280, 320)


def test_scaling_study_falls_back_to_all_sizes(monkeypatch):
    monkeypatch.setattr(timing, "time_method", _fake_time_method)
    huge = timing.scaling_study([8, 16, 32], cache_bytes=10 ** 12, methods=["conv"],
                                bandwidth=1e10)
    assert huge.fitted.all() and list(huge.others) == ["conv"]
    unknown = timing.scaling_study([8, 16], cache_bytes=None, methods=["conv"], bandwidth=1e10)
    assert unknown.fitted.all() and unknown.cache_bytes is None


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(methods=["sparse"]), ValueError, "methods must include 'conv'"),
    (dict(methods=["dense", "conv"]), ValueError,
     "methods must be one of 'locally_connected', 'sparse'"),
    (dict(cache_bytes="big"), ValueError, "cache_bytes must be one of 'auto'"),
    (dict(cache_bytes=0), ValueError, "cache_bytes must be an integer >= 1"),
    (dict(target=(0, 5)), ValueError, r"target\[0\] must be an integer >= 1"),
])
def test_scaling_study_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        timing.scaling_study([8], **kwargs)


def test_without_threadpoolctl_the_timing_warns_and_goes_ahead(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import now raises ImportError
    with pytest.warns(UserWarning, match="threadpoolctl is not installed"):
        t = time_convolution([6], (3, 3), threads=1, **FAST)
    assert t.macs.tolist() == [16 * 9]


# ---------------------------------------------------------------- timeit, linregress

def test_median_time_is_timeit_repeat_divided_by_number(monkeypatch):
    """The same fake clock through timeit.Timer.repeat and through median_time: equal."""
    import timeit

    def run(measure):
        durations = iter([5.0, 1.0, 3.0, 100.0, 2.0] * 3)
        clock = [0.0]
        monkeypatch.setattr(timing.time, "perf_counter", lambda: clock[0])

        def work():
            clock[0] += next(durations)
        return measure(work)

    reference = run(lambda f: timeit.Timer(f, timer=timing.time.perf_counter).repeat(5, 1))
    assert run(lambda f: median_time(f, repeats=5)) == float(np.median(reference)) == 3.0
    calls = []
    monkeypatch.setattr(timeit.Timer, "repeat", lambda self, repeat, number: calls.append(
        (repeat, number)) or [1.0] * repeat)
    assert median_time(lambda: None, repeats=4, number=8) == 1.0 / 8
    assert calls == [(4, 8)]


def test_calls_per_measurement_come_from_autorange(monkeypatch):
    import timeit

    tried = []

    def fake_autorange(self, callback=None):
        for number in (1, 2, 5, 10, 20, 50):
            tried.append(number)
            callback(number, number * 1e-3)        # each call "takes" 1 ms
        return 50, 0.05

    monkeypatch.setattr(timeit.Timer, "autorange", fake_autorange)
    assert timing._calls_for(lambda: None, 4e-3) == 5       # first count lasting >= 4 ms
    assert tried == [1, 2, 5]


def test_fit_is_scipy_linregress_on_the_logs():
    rng = np.random.default_rng(4)
    x = np.geomspace(10, 1e5, 9)
    y = 2e-7 * x ** 1.7 * np.exp(rng.normal(0, 0.2, x.size))
    fit = fit_power_law(x, y)
    ref = scipy.stats.linregress(np.log(x), np.log(y))
    assert fit.exponent == pytest.approx(ref.slope, rel=1e-12)
    assert math.log(fit.prefactor) == pytest.approx(ref.intercept, rel=1e-12)
    assert fit.r_squared == pytest.approx(ref.rvalue ** 2, rel=1e-9)
    assert repr(fit) == (f"PowerLawFit(y = {fit.prefactor:.3g} * x^{fit.exponent:.3f} on 9 "
                         f"points, R^2 = {fit.r_squared:.4f})")


# ---------------------------------------------------------------- bandwidth-based prediction

def test_extrapolation_from_bandwidth_is_bytes_moved_over_bandwidth():
    fit = fit_power_law([100, 1000], [1e-5, 1e-3])
    e = extrapolate_dense(fit, (280, 320), (3, 3), bandwidth=Bandwidth(16e9, 2**27, 0.0084))
    held = dense_matrix_nbytes((280, 320), (3, 3))
    moved = held + 8 * 280 * 320 + 8 * 278 * 318          # matrix and input read, output written
    assert (e.nbytes, e.traffic) == (held, moved)
    assert e.seconds == moved / 16e9 and e.basis == "bandwidth" and e.bandwidth == 16e9
    assert e.fit_seconds == pytest.approx(1e-9 * 89_600 ** 2)
    assert "from the bandwidth" in repr(e) and "holds 63.4 GB" in repr(e)
    with pytest.raises(ValueError, match="bandwidth must be a positive number"):
        extrapolate_dense(fit, bandwidth=-1.0)


def test_dense_conclusion_states_bandwidth_prediction_and_fit(monkeypatch):
    monkeypatch.setattr(timing, "time_method", _fake_time_method)
    study = timing.scaling_study([8, 16, 32, 64], cache_bytes=1024 ** 2, bandwidth=2e10)
    c = dense_conclusion(study)
    assert c.seconds == study.extrapolation.traffic / 2e10
    assert c.fit_seconds == pytest.approx(1e-9 * 89_600 ** 2)
    assert c.conv_seconds == pytest.approx(1e-8 * 89_600)
    assert c.time_ratio == pytest.approx(c.seconds / c.conv_seconds)
    assert c.mac_ratio == pytest.approx(89_600 / 9)
    text = str(c)
    assert "63.4 GB" in text and "20.0 GB/s" in text and "fitted" in text
    assert study.target_seconds()["dense"] == c.seconds
    assert repr(study).startswith("ScalingStudy(dense on 4 sizes, p = 2.00 on 2;")
    no_bandwidth = timing.scaling_study([8, 16], cache_bytes=None, bandwidth=None)
    with pytest.raises(ValueError, match="no bandwidth"):
        dense_conclusion(no_bandwidth)
    with pytest.raises(TypeError, match="study must be a ScalingStudy"):
        dense_conclusion(c)


def test_measure_bandwidth_reads_the_array_it_names():
    bw = measure_bandwidth(2**16, repeats=1)
    assert bw.nbytes == 2**16
    assert bw.bytes_per_second == bw.nbytes / bw.seconds
    assert repr(bw).startswith("Bandwidth(")


# ---------------------------------------------------------------- budgets

def test_repeats_beyond_the_measurement_limit_are_refused():
    with pytest.raises(BudgetError, match=r"would take 1,000,000,000 measurements, more than "
                                          r"the limit of 10,000; use a smaller repeats"):
        time_method("conv", [8], 3, repeats=10**9)
    with pytest.raises(BudgetError, match="use a smaller repeats"):
        median_time(lambda: None, repeats=10**9)
    with pytest.raises(ValueError, match="min_seconds must be .* at most 10"):
        time_method("conv", [8], 3, min_seconds=1e6)


@pytest.mark.parametrize("call, match", [
    ("timing.time_method('sparse', [40000], 3)", "shapes[0] = 40000 x 40000"),
    ("timing.time_method('dense', [300], 3)", "shapes[0] = 300 x 300"),
    ("timing.scaling_study([16, 400])", "sides[1] = 400 x 400"),
    ("timing.scaling_study([16], target=40000)", "target[0] = 40000 x 40000"),
    ("timing.measure_bandwidth(2**40)", "use a smaller nbytes"),
])
def test_sizes_over_budget_are_refused_naming_the_argument(call, match):
    out = assert_refused(call, setup="from cnnmotiv import timing")
    assert match in out


@pytest.mark.parametrize("rng, error", [("seed", TypeError), (1.5, TypeError), (-1, ValueError),
                                        (True, TypeError)])
def test_bad_rng_is_refused_naming_rng(rng, error):
    with pytest.raises(error, match="rng must be"):
        time_method("conv", [8], 3, rng=rng, **FAST)


def test_scaling_study_names_its_own_arguments():
    with pytest.raises(TypeError, match="methods must be a sequence"):
        timing.scaling_study([8], methods="conv")
    with pytest.raises(ValueError, match=r"sides\[0\] must be an integer >= 1"):
        timing.scaling_study([0])
