"""Every notebook runs cleanly in JupyterLab, and every control of every slider
app redraws its figure: new pixels after a move, the same pixels after moving back.

Notebooks (``notebooks/*.ipynb``) and their controls (elements with a
``cnnmotiv-control-<name>`` class inside a ``cnnmotiv-app``) are discovered at
run time, so a new notebook or slider is tested without editing this file.
"""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

import pytest

from harness import NotebookDriver, notebook_names, notebooks_dir

pytestmark = pytest.mark.e2e


def test_notebooks_are_present():
    names = notebook_names()
    if not names:
        message = f"no notebooks in {notebooks_dir()}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert all(name.endswith(".ipynb") for name in names)


def test_runs_without_errors(notebook_run):
    """Restart Kernel and Run All Cells: every cell runs, none shows an error."""
    problems = notebook_run.driver.error_report(notebook_run.state)
    assert not problems, f"{notebook_run.name}:\n" + "\n".join(problems)
    assert any(c["source"].strip() for c in notebook_run.state["cells"])


def test_every_control_redraws_its_figure(notebook_run, screenshot_dir):
    """Move every control and back; the figure changes, settles, and comes back."""
    driver = notebook_run.driver
    NOTES.clear()
    apps = driver.wait_for_apps()
    failures, moved = [], 0
    for index, app in enumerate(apps, 1):
        app.scroll_into_view_if_needed()
        controls = driver.controls(app)
        assert controls, f"app {index} has no cnnmotiv-control-* element"
        for name, control in controls:
            kind = driver.kind(control)
            label = f"app {index} control {name!r} ({kind})"
            exercise = EXERCISES.get(kind)
            if exercise is None:
                failures.append(f"{label}: no test for this kind of control")
                continue
            try:
                control.scroll_into_view_if_needed()
                started = time.perf_counter()
                exercise(driver, app, control)
                print(f"{label}: exercised in {time.perf_counter() - started:.1f} s")
                moved += 1
            except AssertionError as err:
                failures.append(f"{label}: {err}")
            except Exception as err:  # a Playwright timeout etc.: report, go on
                failures.append(f"{label}: {type(err).__name__}: {err}"[:600])
        app.screenshot(path=str(screenshot_dir / f"{Path(notebook_run.name).stem}-app{index}.png"))
        try:  # an observation, never a failure: is the PNG shown larger than it was drawn?
            shown, drawn = driver.figure(app).evaluate("(i) => [i.clientWidth, i.naturalWidth]")
            if drawn and shown > 1.1 * drawn:
                NOTES.append(f"app {index}: figure drawn {drawn} px wide, shown {shown} px "
                             f"(upscaled x{shown / drawn:.1f}, blurry)")
        except Exception:
            pass
    for note in NOTES:
        warnings.warn(f"{notebook_run.name}: {note}", UserWarning, stacklevel=1)
    if not apps:
        pytest.skip(f"{notebook_run.name} shows no cnnmotiv-app")
    assert not failures, f"{notebook_run.name}: {moved} controls passed, failures:\n" + \
        "\n".join(failures)
    problems = driver.error_report(driver.state())
    assert not problems, "errors after moving the controls:\n" + "\n".join(problems)


# ----------------------------------------------------------------- one function per kind

NOTES: list[str] = []  # observations that are not failures, printed at the end


def control_label(control) -> str:
    return control.evaluate(
        "(el) => Array.from(el.classList).find(c => c.startsWith('cnnmotiv-control-'))")


def _key_towards_inside(state: dict) -> tuple[str, str]:
    """Arrow key that moves the handle without leaving [min, max], and its opposite."""
    if state["now"] < state["max"]:
        return "ArrowRight", "ArrowLeft"
    return "ArrowLeft", "ArrowRight"


def _return_by_keys(driver, handle, target: float, limit: int = 400) -> None:
    """Press arrows on `handle` until its value is `target` again."""
    for _ in range(limit):
        now = driver.handle_state(handle)["now"]
        if now == target:
            return
        handle.press("ArrowLeft" if now > target else "ArrowRight")
    raise AssertionError(f"could not bring the handle back to {target}")


def exercise_slider(driver: NotebookDriver, app, control) -> None:
    """Keyboard, mouse drag and (when editable) typed readout, each moved and back."""
    handles = control.locator(".noUi-handle")
    for h in range(handles.count()):
        handle = handles.nth(h)
        start = driver.handle_state(handle)
        text0 = driver.readout_text(control)
        image0 = driver.settle(app)

        # 1. keyboard: one step and back
        key, back = _key_towards_inside(start)
        driver.press_on_handle(handle, key)
        stepped = driver.handle_state(handle)
        assert stepped["now"] != start["now"], f"{key} did not move the handle"
        image1 = driver.wait_changed(app, image0)  # one step: figure or caption
        if image1.figure == image0.figure:
            NOTES.append(f"{control_label(control)}: one {key} step changes the caption "
                         "but no figure pixel")
        text1 = driver.readout_text(control)
        driver.press_on_handle(handle, back)
        assert driver.handle_state(handle)["now"] == start["now"], f"{back} did not move back"
        again = driver.wait_changed(app, image1)
        assert again == image0, "keyboard: moving back did not restore the figure"

        # 2. mouse drag 60% of the way to the farther end, then back (typing or keys);
        #    at least half a track's room, so even a 2-value slider moves one step
        typeable = handles.count() == 1 and driver.readout_editable(control)
        span = (start["max"] - start["min"]) or 1.0
        right, left = (start["max"] - start["now"]) / span, (start["now"] - start["min"]) / span
        fraction = 0.6 * right if right >= left else -0.6 * left
        driver.drag_handle(control, handle, fraction)
        dragged = driver.handle_state(handle)
        assert dragged["now"] != start["now"], \
            f"dragging {fraction:+.0%} of the track did not move the handle from {start['now']}"
        image2 = driver.wait_changed(app, image0)
        assert image2.figure != image0.figure, \
            f"dragging to {driver.readout_text(control)!r} changed no pixel of the figure"
        if typeable:
            driver.type_readout(control, text0)
        else:
            _return_by_keys(driver, handle, start["now"])
        assert driver.handle_state(handle)["now"] == start["now"], "could not move back"
        again = driver.wait_changed(app, image2)
        assert again == image0, "drag: moving back did not restore the figure"

        # 3. typing the one-step value into the readout, then the first value
        if typeable:
            driver.type_readout(control, text1)
            assert driver.handle_state(handle)["now"] == stepped["now"], \
                f"typing {text1!r} into the readout did not move the handle"
            typed = driver.wait_changed(app, image0)
            assert typed == image1, "typed value shows another figure than the keyboard step"
            driver.type_readout(control, text0)
            assert driver.handle_state(handle)["now"] == start["now"], \
                f"typing {text0!r} did not move the handle back"
            again = driver.wait_changed(app, image1)
            assert again == image0, "readout: typing the first value did not restore the figure"


def _changed_figure(driver, app, before, what):
    """Wait for the move's result; a choice among options must change the figure itself."""
    after = driver.wait_changed(app, before)
    assert after.figure != before.figure, f"{what} changed no pixel of the figure"
    return after


def exercise_dropdown(driver: NotebookDriver, app, control) -> None:
    select = control.locator("select").first
    original = select.input_value()
    options = [v for v in select.locator("option").evaluate_all(
        "(os) => os.map(o => o.value)") if v != original]
    assert options, "dropdown has a single option"
    image0 = driver.settle(app)
    for option in options:
        select.select_option(option)
        image1 = _changed_figure(driver, app, image0, f"selecting {option!r}")
        select.select_option(original)
        again = driver.wait_changed(app, image1)
        assert again == image0, f"selecting {original!r} again did not restore the figure"


def exercise_toggle_buttons(driver: NotebookDriver, app, control) -> None:
    buttons = control.locator("button")
    labels = buttons.all_inner_texts()
    active = [i for i in range(buttons.count())
              if "mod-active" in (buttons.nth(i).get_attribute("class") or "")]
    assert active, "no toggle button is active"
    image0 = driver.settle(app)
    for i in range(buttons.count()):
        if i == active[0]:
            continue
        buttons.nth(i).click()
        image1 = _changed_figure(driver, app, image0, f"clicking {labels[i]!r}")
        buttons.nth(active[0]).click()
        again = driver.wait_changed(app, image1)
        assert again == image0, f"clicking {labels[active[0]]!r} again did not restore the figure"


def exercise_click_twice(driver: NotebookDriver, app, control) -> None:
    target = control.locator("input[type=checkbox], button").first
    image0 = driver.settle(app)
    target.click()
    image1 = _changed_figure(driver, app, image0, "toggling")
    target.click()
    again = driver.wait_changed(app, image1)
    assert again == image0, "toggling back did not restore the figure"


def exercise_radio(driver: NotebookDriver, app, control) -> None:
    radios = control.locator("input[type=radio]")
    checked = [i for i in range(radios.count()) if radios.nth(i).is_checked()]
    image0 = driver.settle(app)
    for i in range(radios.count()):
        if checked and i == checked[0]:
            continue
        radios.nth(i).check()
        image1 = _changed_figure(driver, app, image0, "checking another option")
        radios.nth(checked[0]).check()
        again = driver.wait_changed(app, image1)
        assert again == image0, "checking the first option again did not restore the figure"
        break


def exercise_text(driver: NotebookDriver, app, control) -> None:
    box = control.locator("input").first
    original = box.input_value()
    image0 = driver.settle(app)
    box.focus()
    box.press("ArrowUp")
    box.press("Enter")
    image1 = driver.wait_changed(app, image0)
    box.fill(original)
    box.press("Enter")
    again = driver.wait_changed(app, image1)
    assert again == image0, "typing the first value did not restore the figure"


EXERCISES = {
    "slider": exercise_slider,
    "range": exercise_slider,
    "dropdown": exercise_dropdown,
    "toggles": exercise_toggle_buttons,
    "toggle": exercise_click_twice,
    "checkbox": exercise_click_twice,
    "radio": exercise_radio,
    "text": exercise_text,
}
