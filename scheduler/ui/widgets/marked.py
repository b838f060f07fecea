"""A selection list whose picked lines say so in words, not only by colour (NO_COLOR, monochrome)."""

from __future__ import annotations

from textual.widgets import SelectionList

MARK = "picked: "


class MarkedSelectionList(SelectionList[str]):
    def on_mount(self) -> None:
        self.mark()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        self.mark()  # the event goes on to the parent too

    def mark(self) -> None:
        """Prefix picked lines with the mark and unpicked ones without it."""
        selected = set(self.selected)
        for index in range(self.option_count):
            option = self.get_option_at_index(index)
            text = str(option.prompt)
            base = text.removeprefix(MARK)
            wanted = f"{MARK}{base}" if option.value in selected else base
            if wanted != text:
                self.replace_option_prompt_at_index(index, wanted)
