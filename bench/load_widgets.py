"""What a browser sends with every rerun: each widget's current value, the person's or the script's."""
from streamlit.proto.WidgetStates_pb2 import WidgetState


class Widgets:
    """Mixed into load_session.Session, which fills ``widgets``, ``values``, ``submit_id`` (a form's
    Train) and ``train_id`` (a Train button outside a form)."""

    def value(self, wid):
        """A widget's value as the browser shows it: the person's, else the script's, else its default."""
        kind, p = self.widgets[wid]
        if wid in self.values:
            return self.values[wid]
        if kind == "slider":
            return list(p.value if p.set_value else p.default)
        if kind == "multiselect":
            return list(p.raw_values if p.set_value else [p.options[i] for i in p.default])
        return p.raw_value if p.set_value else p.options[p.default]

    def states(self, moved=None, value=None, submit=False):
        """Every widget's current value, as the browser sends them; `moved` gets `value`. With
        `submit`, Train is pressed too (in a form, a browser sends the form's values only then)."""
        if moved is not None:
            self.values[moved] = value
        out = [WidgetState(id=self.submit_id or self.train_id, trigger_value=True)] if submit else []
        for wid, (kind, p) in self.widgets.items():
            ws = WidgetState(id=wid)
            v = self.value(wid)
            if kind == "slider":
                ws.double_array_value.data.extend(v)
            elif kind in ("radio", "selectbox"):
                ws.string_value = v
            elif kind == "multiselect":
                ws.string_array_value.data.extend(v)
            out.append(ws)
        return out

    def sliders(self):
        return [(wid, p) for wid, (kind, p) in self.widgets.items() if kind == "slider"]
