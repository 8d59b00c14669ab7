"""A guided lesson: nine steps from the unrolled RNN to the LSTM learning the long lag. Each step is a
live view with what to notice and one question for the class; ``?step=k`` opens step k."""
# First, before the heavy imports: see ui/runtime/router.py.
from ui.runtime.router import through_app

through_app()

import streamlit as st

from core.gradients.experiment import GradientSetup
from ui.lesson import views
from ui.lesson.steps import STEPS, step_number
from ui.page.text import inert
from ui.page.widgets import reading
from ui.readings import lesson as words

N = len(STEPS)
raw = st.query_params.get("step")
number = step_number(raw) if raw is not None else 1
if number is None:
    st.info(f"This link's step {inert(raw)} is not a step of the lesson (1 to {N}): starting at step 1.")
    number = 1
step = STEPS[number - 1]


def go_to(target):
    st.query_params["step"] = str(target)


def nav(where):
    back, middle, nxt = st.columns([1, 4, 1])
    back.button("← Back", key=f"back-{where}", disabled=number == 1, on_click=go_to, args=(number - 1,),
                use_container_width=True)
    nxt.button("Next →", key=f"next-{where}", disabled=number == N, on_click=go_to, args=(number + 1,),
               use_container_width=True, type="primary")
    middle.progress(number / N, text=f"Step {number} of {N}: {step.title}")


st.title("A guided lesson: backpropagation through time")
nav("top")
st.header(f"{number}. {step.title}")
st.markdown(step.intro)
st.latex(step.equation)

setup = GradientSetup(**step.setup)
run = views.run_of(step.setup)
nums = words.numbers(step.key, run)
other = None
for i, view in enumerate(step.views):
    if view == "compare":
        rnn_setup = GradientSetup(**step.other)
        other = words.numbers(step.key, views.run_of(step.other))
        st.plotly_chart(views.compare_figure(setup, rnn_setup), key=f"view-{i}")
    else:
        st.plotly_chart(views.figure(setup, view), key=f"view-{i}")

st.info(f"**What to notice.** {words.notice(step.key, nums, other)}", icon=":material/visibility:")
st.success(f"**Ask the class.** {step.question}", icon=":material/forum:")
st.page_link(step.page, label="Open this view on its own page, with every control",
             icon=":material/open_in_new:", query_params=step.query)
reading(f"This step's own link ends in ?step={number}: a teacher can start the class here.")
nav("bottom")
