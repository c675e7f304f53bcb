"""The okr-reviewer page: paste drafted key results or upload a team file, read the review.

A thin presentation layer over the package's public API (`reviewer.pipeline.Reviewer`,
`reviewer.parse`, `reviewer.report`, `reviewer.rules`): every finding, critique and rewrite
comes from the package; this file only lays them out. Run it with `okr-review app` or
`streamlit run app.py`.

Anything the user typed or an LLM wrote is shown as inert text: it is Markdown-escaped
before it reaches a Markdown element, so `<script>` or `[x](javascript:...)` in a key
result stays a string. The API key lives only in its password widget and the cached
reviewer; it is never written to the page, an error message or a download.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

if TYPE_CHECKING:
    from reviewer.models import (
        Critique,
        Finding,
        KeyResultReview,
        OKRSet,
        Report,
        Rewrite,
    )
    from reviewer.pipeline import Reviewer

HERE = Path(__file__).resolve().parent
EXAMPLE_CANDIDATES = (
    HERE / "examples" / "platform-team.txt",
    HERE / "examples" / "platform-team.md",
)
KIND_COLOURS = {"outcome": "green", "output": "orange", "activity": "red", "unmeasurable": "violet"}
KIND_ICONS = {
    "outcome": ":material/trending_up:",
    "output": ":material/inventory_2:",
    "activity": ":material/directions_run:",
    "unmeasurable": ":material/help:",
}
SEVERITY_COLOURS = {"error": "red", "warning": "orange", "info": "blue"}
SEVERITY_ICONS = {
    "error": ":material/error:",
    "warning": ":material/warning:",
    "info": ":material/info:",
}
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
SEVERITY_HEX = {"error": "#d64545", "warning": "#e8912d", "info": "#3b82c4"}
PASTE_PLACEHOLDER = """Objective: Make deploys boring
- Migrate the CI pipeline to GitHub Actions
- Cut p95 build time from 14 min to 8 min by the end of Q3
- Hold 10 brown-bag sessions on testing"""
# Every ASCII punctuation character CommonMark lets us backslash-escape, plus `$` (LaTeX)
# and `:` (Streamlit's `:color[...]` directives and emoji shortcodes).
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&\"'^])")
PLACEHOLDER_PATTERN = re.compile(r"<[^<>\n]{1,80}>")
KEY_FRAGMENT = 10  # this many characters of the API key in a row count as the key


# -- text safety ---------------------------------------------------------------------------
def md_escape(text: object) -> str:
    """Text as inert Markdown: no links, HTML, directives or formatting survive."""
    flat = " ".join(str(text).split())
    return _MARKDOWN_SPECIALS.sub(r"\\\1", flat)


def redact(text: object) -> str:
    """The text with the session's API key blanked out, for messages, notes and downloads.

    Endpoints and client libraries like to quote the key back in errors, sometimes only a
    part of it, so any run of ten or more of its characters goes too.
    """
    message = str(text)
    key = (st.session_state.get("llm_api_key") or "").strip()
    if len(key) < 4:
        return message
    message = message.replace(key, "••••")
    seeds = {key[i : i + KEY_FRAGMENT] for i in range(len(key) - KEY_FRAGMENT + 1)}
    window = range(len(message) - KEY_FRAGMENT + 1)
    if seeds and any(message[i : i + KEY_FRAGMENT] in seeds for i in window):
        for size in range(len(key) - 1, KEY_FRAGMENT - 1, -1):
            for start in range(len(key) - size + 1):
                fragment = key[start : start + size]
                if fragment in message:
                    message = message.replace(fragment, "••••")
    return message


def safe(text: object) -> str:
    """Redacted and Markdown-escaped: the one way untrusted text reaches a Markdown element."""
    return md_escape(redact(text))


def show_error(message: str) -> None:
    """An error box with inert, redacted text."""
    st.error(safe(message), icon=":material/error:")


# -- settings and the cached reviewer ------------------------------------------------------
def settings_from_sidebar() -> tuple[dict[str, Any], str | None]:
    """Draw the sidebar; return config overrides (without the key) and the API key."""
    from reviewer.config import load_config

    defaults = load_config(use_env=False)
    sidebar = st.sidebar
    sidebar.header("Settings")
    mode = sidebar.radio(
        "Critic",
        ["Offline", "LLM"],
        key="mode",
        horizontal=True,
        help="Offline uses the deterministic critic and never calls a network service.",
    )
    overrides: dict[str, Any] = {}
    api_key: str | None = None
    if mode == "LLM":
        base_url = sidebar.text_input(
            "Endpoint base URL",
            key="llm_base_url",
            placeholder="https://api.openai.com/v1",
            help="Any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, LM Studio...).",
        ).strip()
        model = sidebar.text_input("Model", value=defaults.llm.model, key="llm_model").strip()
        api_key = (
            sidebar.text_input(
                "API key",
                type="password",
                key="llm_api_key",
                help="Kept in this browser session only; never shown, logged or downloaded.",
            ).strip()
            or None
        )
        llm: dict[str, Any] = {"model": model or defaults.llm.model}
        if base_url:
            llm["base_url"] = base_url
        if api_key:
            llm["api_key"] = api_key
        overrides["offline"] = False
        overrides["llm"] = llm
        if not base_url and not api_key:
            sidebar.warning(
                "Give an endpoint base URL or an API key; until then the deterministic critic "
                "reviews offline.",
                icon=":material/cloud_off:",
            )
        sidebar.caption(
            "Sent to the endpoint for each key result: its text, objective and period, the "
            "rule findings and the guidance passages retrieved for it."
        )
    else:
        overrides["offline"] = True
        overrides["critic"] = "deterministic"
        sidebar.caption(
            "Nothing leaves this machine: the rules, the guidance search and the deterministic "
            "critic all run locally."
        )

    policy = sidebar.selectbox(
        "Policy preset",
        ["strict", "early-stage"],
        key="policy",
        help="early-stage tolerates output key results for new products.",
    )
    overrides["policy"] = policy

    codes, labels, default_codes = rule_catalogue()
    if codes:
        chosen_now = st.session_state.get("rules", default_codes)
        rules_box = sidebar.expander(f"Rules · {len(chosen_now)} of {len(codes)} on")
        chosen = rules_box.multiselect(
            "Rules",
            codes,
            default=default_codes,
            key="rules",
            format_func=lambda code: labels.get(code, code),
            help="Which rule codes to run. The default set is preselected.",
        )
        if sorted(chosen) != sorted(default_codes):
            overrides["select"] = list(chosen)
    return overrides, api_key


@st.cache_data(show_spinner=False)
def rule_catalogue() -> tuple[list[str], dict[str, str], list[str]]:
    """Every rule code, its `CODE name` label, and the codes enabled by default."""
    from reviewer.rules import all_rules

    specs = sorted(all_rules(), key=lambda spec: spec.code)
    codes = [spec.code for spec in specs]
    labels = {spec.code: f"{spec.code} {spec.name}" for spec in specs}
    defaults = [spec.code for spec in specs if spec.enabled_by_default]
    return codes, labels, defaults


@st.cache_resource(show_spinner="Loading the reviewer and its guidance index...", max_entries=8)
def cached_reviewer(settings_json: str, key_digest: str, _api_key: str | None) -> Reviewer:
    """One Reviewer (config, guidance index, LLM client) per distinct set of settings.

    The key itself is excluded from Streamlit's cache key (leading underscore); its digest
    stands in for it so that a different key still gets its own reviewer.
    """
    from reviewer.config import load_config
    from reviewer.pipeline import Reviewer

    overrides = json.loads(settings_json)
    if _api_key:
        overrides.setdefault("llm", {})["api_key"] = _api_key
    reviewer = Reviewer(load_config(overrides=overrides))
    reviewer.guidance_index()  # open (or build) the index now, under the spinner, once
    return reviewer


def get_reviewer(overrides: dict[str, Any], api_key: str | None) -> Reviewer:
    """The cached reviewer for these settings."""
    digest = hashlib.sha256(api_key.encode()).hexdigest() if api_key else ""
    return cached_reviewer(json.dumps(overrides, sort_keys=True), digest, api_key)


def settings_fingerprint(overrides: dict[str, Any], api_key: str | None) -> str:
    """A stable, key-free string that changes whenever the review settings do."""
    digest = hashlib.sha256(api_key.encode()).hexdigest()[:12] if api_key else ""
    return json.dumps(overrides, sort_keys=True) + digest


# -- running a review ----------------------------------------------------------------------
def run_review(okr_set: OKRSet, overrides: dict[str, Any], api_key: str | None) -> Report | None:
    """Review a set with a progress bar; show an error (never a traceback) on failure."""
    from reviewer.errors import ReviewerError

    total = len(okr_set.key_results())
    if total == 0:
        st.warning("No key results found. Put one key result per line.", icon=":material/info:")
        return None
    bar = st.progress(0.0, text=f"Reviewing {total} key result{'s' if total != 1 else ''}...")

    def progress(done: int, total: int, review: KeyResultReview) -> None:
        bar.progress(done / max(total, 1), text=f"Reviewed {done} of {total}")

    try:
        reviewer = get_reviewer(overrides, api_key)
        report = reviewer.review_set(okr_set, progress=progress)
    except ReviewerError as exc:
        show_error(f"The review could not run: {exc}")
        return None
    except Exception as exc:  # the page boundary: a message, never a traceback
        show_error(f"The review failed unexpectedly ({type(exc).__name__}: {exc}).")
        return None
    finally:
        bar.empty()
    return report


def parse_paste(text: str, objective: str, period: str) -> OKRSet:
    """Read pasted key results; the objective and period fields fill in what the paste lacks."""
    from reviewer.parse import read_okr_text

    okr_set = read_okr_text(text, source="<paste>", input_format="text")
    objective, period = objective.strip(), period.strip()
    if period and not okr_set.period:
        okr_set = okr_set.model_copy(update={"period": period})
    if objective:
        for obj in okr_set.objectives:
            if obj.implicit or not obj.text.strip():
                # The user named it, so it is a real objective the set rules may judge.
                obj.text, obj.implicit = objective, False
    return okr_set


def parse_upload(name: str, data: bytes) -> OKRSet:
    """Read an uploaded OKR file as `okr-review check` reads files: format from the extension,
    the same size limit, encoding and binary checks."""
    from reviewer.errors import InputError
    from reviewer.parse import MAX_INPUT_BYTES, decode_source, detect_format, read_okr_text

    input_format = detect_format(name)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            f"file is too large (the limit is {MAX_INPUT_BYTES // 1024 // 1024} MB)",
            file=name,
            hint="split it into one file per team",
        )
    return read_okr_text(decode_source(data, name), source=name, input_format=input_format)


def upload_types() -> list[str]:
    """The extensions the uploader accepts: the ones the parse module reads."""
    from reviewer.parse import EXTENSIONS

    return sorted(ext.lstrip(".") for ext in EXTENSIONS)


def load_example() -> str:
    """The bundled example OKR set, as paste-box text."""
    for candidate in EXAMPLE_CANDIDATES:
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return PASTE_PLACEHOLDER


def fill_example() -> None:
    """Button callback: put the example in the paste box and ask for a review."""
    st.session_state["paste_text"] = load_example()
    st.session_state["review_requested"] = True


# -- drawing a report ----------------------------------------------------------------------
def badge(label: str, colour: str, icon: str = "") -> str:
    """A Markdown colour badge; `label` must already be safe."""
    inner = f"{icon} {label}" if icon else label
    return f":{colour}-badge[{inner}]"


def worst_finding(findings: Iterable[Finding]) -> Finding | None:
    """The most severe finding (first in rule order among equals)."""
    ranked = sorted(findings, key=lambda f: (-SEVERITY_RANK.get(f.severity, 0), f.code))
    return ranked[0] if ranked else None


def show_findings(findings: list[Finding], suppressed: list[Finding]) -> None:
    """Findings with severity colours, code, message and fix."""
    if not findings:
        st.markdown(badge("no findings", "green", ":material/check_circle:"))
    for finding in findings:
        colour = SEVERITY_COLOURS.get(finding.severity, "gray")
        icon = SEVERITY_ICONS.get(finding.severity, "")
        st.markdown(
            f"{badge(md_escape(finding.code), colour, icon)} **{md_escape(finding.name)}**  \n"
            f"{safe(finding.message)}"
        )
        st.caption(f"Fix: {safe(finding.fix)}")
    if suppressed:
        codes = ", ".join(md_escape(f.code) for f in suppressed)
        st.caption(f"Suppressed in the file: {codes}")


def show_critique(critique: Critique) -> None:
    """The critique, its problems with citations, and the cited passages expandable."""
    if critique.critic == "llm":
        who = f"LLM critic · {md_escape(critique.model or 'model')}"
    else:
        who = "deterministic critic"
    st.markdown(f"**Critique** · :gray[{who}]")
    if critique.fallback_reason:
        st.warning(
            f"The LLM critique was not used: {safe(critique.fallback_reason)}",
            icon=":material/cloud_off:",
        )
    st.markdown(safe(critique.summary))
    for problem in critique.problems:
        cites = " ".join(f"`{c}`" for c in problem.citations if "`" not in c)
        st.markdown(f"- {safe(problem.text)} {cites}".rstrip())
    for passage in critique.cited:
        section = f" — {passage.section}" if passage.section else ""
        with st.expander(
            f":material/menu_book: {md_escape(passage.title + section)}", expanded=False
        ):
            st.caption(md_escape(passage.id))
            # The corpus is the project's own Markdown (trusted, HTML stays off).
            st.markdown(passage.text)


def show_rewrite(rewrite: Rewrite, number: int) -> None:
    """One rewrite with a copy button and its placeholders marked for the user to fill."""
    st.markdown(f"**Rewrite {number}**")
    st.code(rewrite.text, language=None, wrap_lines=True)
    placeholders = list(dict.fromkeys(PLACEHOLDER_PATTERN.findall(rewrite.text)))
    if placeholders:
        marks = " ".join(badge(md_escape(p), "orange") for p in placeholders)
        st.markdown(f":material/edit: Fill in: {marks}")
    notes: list[str] = []
    if rewrite.instrument_first:
        notes.append(badge("instrument first", "blue", ":material/straighten:"))
    if rewrite.verified:
        notes.append(badge("re-checked by the rules", "green", ":material/verified:"))
    elif rewrite.verification_notes:
        notes.append(badge("check before use", "gray", ":material/rule:"))
    if notes:
        st.markdown(" ".join(notes))
    if rewrite.rationale:
        st.caption(safe(rewrite.rationale))
    for note in rewrite.verification_notes:
        st.caption(f"Check: {safe(note)}")


def show_card(review: KeyResultReview, key: str) -> None:
    """One key result's card: draft, kind, findings, critique, rewrites."""
    with st.container(border=True, key=key):
        kind = review.kind
        head = [badge(kind, KIND_COLOURS.get(kind, "gray"), KIND_ICONS.get(kind, ""))]
        worst = worst_finding(review.findings)
        if worst is not None:
            counts: dict[str, int] = {}
            for finding in review.findings:
                counts[finding.severity] = counts.get(finding.severity, 0) + 1
            for severity in ("error", "warning", "info"):
                if counts.get(severity):
                    n = counts[severity]
                    head.append(
                        badge(f"{n} {severity}{'s' if n != 1 else ''}", SEVERITY_COLOURS[severity])
                    )
        where = review.key_result.location
        if review.objective:
            head.append(f":gray[{safe(review.objective)}]")
        if where.line is not None and where.file not in (None, "<paste>"):
            head.append(f":gray[· {md_escape(f'{Path(where.file).name}:{where.line}')}]")
        st.markdown(" ".join(head))
        st.markdown(f"#### {safe(review.key_result.text)}")
        left, right = st.columns([3, 2], gap="large")
        with left:
            show_findings(review.findings, review.suppressed)
            if review.critique is not None:
                show_critique(review.critique)
            fallback = review.critique.fallback_reason if review.critique else None
            for error in review.errors:
                if fallback and fallback in error:
                    continue  # already shown with the critique
                st.caption(f":material/report: {safe(error)}")
        with right:
            if review.rewrites:
                show_rewrite(review.rewrites[0], 1)
                if len(review.rewrites) > 1:
                    more = len(review.rewrites) - 1
                    with st.expander(f"{more} more rewrite{'s' if more != 1 else ''}"):
                        for number, rewrite in enumerate(review.rewrites[1:], 2):
                            show_rewrite(rewrite, number)
            elif not review.findings:
                st.markdown(":green[:material/thumb_up: Nothing to rewrite: this reads well.]")
            else:
                st.caption("No rewrite suggested for this key result.")


def show_notes(report: Report) -> None:
    """Degradations, unreadable inputs and LLM fallbacks, above the results."""
    for problem in report.input_problems:
        where = problem.file + (f":{problem.line}" if problem.line else "")
        show_error(f"{where}: {problem.message}")
    fell_back = [r for r in report.reviews if r.critique is not None and r.critique.fallback_reason]
    for note in report.notes:
        if fell_back and "fell back" in note:
            continue  # the warning below says the same, key result by key result
        st.info(safe(note), icon=":material/info:")
    if fell_back:
        lines = "\n".join(
            f"- {safe(r.key_result.text)} — {safe(r.critique.fallback_reason)}"  # type: ignore[union-attr]
            for r in fell_back
        )
        st.warning(
            f"{len(fell_back)} key result{'s' if len(fell_back) != 1 else ''} fell back to the "
            f"deterministic critic:\n{lines}",
            icon=":material/cloud_off:",
        )


def show_set_findings(report: Report) -> None:
    """Findings about the whole set (too many key results, duplicates...)."""
    if not report.set_findings:
        return
    st.markdown("**About the set as a whole**")
    for finding in report.set_findings:
        colour = SEVERITY_COLOURS.get(finding.severity, "gray")
        scope = f" · :gray[{safe(finding.objective)}]" if finding.objective else ""
        st.markdown(
            f"{badge(md_escape(finding.code), colour, SEVERITY_ICONS.get(finding.severity, ''))} "
            f"**{md_escape(finding.name)}**{scope}  \n{safe(finding.message)}"
        )
        st.caption(f"Fix: {safe(finding.fix)}")


def show_kind_metrics(report: Report) -> None:
    """Key results by kind, as a row of metrics."""
    summary = report.summary
    cols = st.columns(5)
    cols[0].metric("Key results", summary.key_results)
    for col, kind in zip(cols[1:], ("outcome", "output", "activity", "unmeasurable"), strict=True):
        col.metric(kind.capitalize(), summary.by_kind.get(kind, 0))


def show_summary(report: Report) -> None:
    """Counts by kind, findings by code, objectives with the most problems."""
    import pandas as pd

    show_kind_metrics(report)
    summary = report.summary
    chart, worst = st.columns([2, 3], gap="large")
    with chart:
        st.markdown("**Findings by code**")
        if summary.by_code:
            counts = {severity: dict.fromkeys(summary.by_code, 0) for severity in SEVERITY_HEX}
            for finding in report.all_findings():
                counts.setdefault(finding.severity, dict.fromkeys(summary.by_code, 0))
                counts[finding.severity][finding.code] += 1
            frame = pd.DataFrame(counts).sort_index()
            frame = frame.loc[:, (frame != 0).any()]
            st.bar_chart(
                frame,
                horizontal=True,
                stack=True,
                height=70 + 34 * len(frame),
                color=[SEVERITY_HEX[severity] for severity in frame.columns],
                x_label="",
                y_label="findings",
            )
        else:
            st.caption("No findings.")
    with worst:
        st.markdown("**Objectives with the most problems**")
        rows = objective_problems(report)
        if rows:
            st.dataframe(
                pd.DataFrame(rows),
                hide_index=True,
                width="stretch",
                column_config={
                    "objective": st.column_config.TextColumn(width=260),
                    "errors": st.column_config.NumberColumn(width=60),
                    "warnings": st.column_config.NumberColumn(width=75),
                    "findings": st.column_config.NumberColumn(width=70),
                },
            )
        else:
            st.caption("No problems found.")


def objective_problems(report: Report) -> list[dict[str, Any]]:
    """Objectives ranked by errors, then warnings, then all findings (top five)."""
    tally: dict[str, dict[str, Any]] = {}
    findings_by_objective = [(r.objective or "(no objective)", r.findings) for r in report.reviews]
    findings_by_objective += [
        (f.objective, [f]) for f in report.set_findings if f.objective is not None
    ]
    for objective, findings in findings_by_objective:
        row = tally.setdefault(
            objective, {"objective": objective, "errors": 0, "warnings": 0, "findings": 0}
        )
        for finding in findings:
            row["findings"] += 1
            if finding.severity == "error":
                row["errors"] += 1
            elif finding.severity == "warning":
                row["warnings"] += 1
    ranked = sorted(
        (row for row in tally.values() if row["findings"]),
        key=lambda row: (-row["errors"], -row["warnings"], -row["findings"]),
    )
    return ranked[:5]


def show_table(report: Report) -> None:
    """Every key result in one table with its worst finding."""
    import pandas as pd

    rows = []
    for number, review in enumerate(report.reviews, 1):
        worst = worst_finding(review.findings)
        rows.append(
            {
                "#": number,
                "key result": review.key_result.text,
                "kind": review.kind,
                "worst finding": f"{worst.code} {worst.name}" if worst else "",
                "severity": worst.severity if worst else "",
                "findings": len(review.findings),
                "objective": review.objective or "",
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(rows), 640),
        column_config={
            "#": st.column_config.NumberColumn(width=40),
            "key result": st.column_config.TextColumn(width=330),
            "kind": st.column_config.TextColumn(width=110),
            "worst finding": st.column_config.TextColumn(width=200),
            "severity": st.column_config.TextColumn(width=80),
            "findings": st.column_config.NumberColumn(width=70),
            "objective": st.column_config.TextColumn(width="large"),
        },
    )


def show_downloads(report: Report, key: str) -> None:
    """The report as Markdown, JSON and CSV files."""
    from reviewer.report import render

    stem = "okr-review"
    cols = st.columns(3)
    for col, (fmt, label, extension, mime) in zip(
        cols,
        (
            ("markdown", "Markdown", "md", "text/markdown"),
            ("json", "JSON", "json", "application/json"),
            ("csv", "CSV", "csv", "text/csv"),
        ),
        strict=True,
    ):
        try:
            data = redact(render(report, fmt))
        except Exception as exc:  # a renderer bug must not take the results down with it
            col.caption(f"{label} unavailable: {safe(type(exc).__name__)}")
            continue
        col.download_button(
            f"Download {label}",
            data=data,
            file_name=f"{stem}.{extension}",
            mime=mime,
            icon=":material/download:",
            key=f"{key}-download-{fmt}",
            on_click="ignore",
            width="stretch",
        )


def show_caption(report: Report) -> None:
    """One line on how the review ran."""
    total_ms = report.timings_ms.get("total")
    critics = ", ".join(f"{n} {c}" for c, n in sorted(report.summary.by_critic.items()))
    parts = [f"{report.summary.key_results} key results", f"mode: {report.mode}"]
    if critics:
        parts.append(f"critique: {critics}")
    if total_ms is not None:
        parts.append(f"{total_ms / 1000:.1f} s")
    st.caption(md_escape(" · ".join(parts)))


def show_cards(report: Report, key: str) -> None:
    """A card per key result, in input order."""
    for number, review in enumerate(report.reviews):
        show_card(review, key=f"{key}-card-{number}")


# -- the two modes -------------------------------------------------------------------------
def paste_mode(overrides: dict[str, Any], api_key: str | None) -> None:
    """Paste drafts, review them, show a card each."""
    st.text_area(
        "Key results",
        key="paste_text",
        height=200,
        placeholder=PASTE_PLACEHOLDER,
        help="One key result per line. Bullets, numbering, `Objective:` lines and Markdown "
        "headings are understood, and so are a Markdown table or cells copied from a "
        "spreadsheet with `Objective` and `Key result` columns.",
    )
    objective_col, period_col = st.columns([3, 1])
    objective = objective_col.text_input(
        "Objective (used when the paste names none)",
        key="paste_objective",
        placeholder="e.g. Make deploys boring",
    )
    period = period_col.text_input("Period", key="paste_period", placeholder="e.g. 2026-Q3")
    review_col, example_col, _ = st.columns([1, 1.4, 4])
    clicked = review_col.button(
        "Review", type="primary", key="review_button", icon=":material/rate_review:"
    )
    example_col.button(
        "Try the example",
        key="example_button",
        on_click=fill_example,
        icon=":material/auto_awesome:",
    )
    if clicked or st.session_state.pop("review_requested", False):
        st.session_state.pop("paste_report", None)
        text = st.session_state.get("paste_text", "")
        if not text.strip():
            st.warning("Paste at least one key result first.", icon=":material/info:")
        else:
            try:
                okr_set = parse_paste(text, objective, period)
            except Exception as exc:
                show_parse_error(exc)
            else:
                report = run_review(okr_set, overrides, api_key)
                if report is not None:
                    st.session_state["paste_report"] = report
    report = st.session_state.get("paste_report")
    if report is not None:
        show_caption(report)
        show_notes(report)
        if len(report.reviews) > 1:
            show_kind_metrics(report)
        show_set_findings(report)
        show_cards(report, key="paste")
        with st.expander("Download this review"):
            show_downloads(report, key="paste")


def show_parse_error(exc: Exception) -> None:
    """A readable message for input that could not be parsed."""
    from reviewer.errors import ReviewerError

    if isinstance(exc, ReviewerError):
        show_error(f"Could not read that input: {exc}")
    else:
        show_error(f"Could not read that input ({type(exc).__name__}: {exc}).")


def file_mode(overrides: dict[str, Any], api_key: str | None) -> None:
    """Upload a team file, review it, show the summary, table, cards and downloads."""
    uploaded = st.file_uploader(
        "Team OKR file",
        type=upload_types(),
        key="upload",
        help="YAML, Markdown or CSV, as `okr-review check` reads them.",
    )
    if uploaded is None:
        st.session_state.pop("file_result", None)
        st.caption(
            "Upload a YAML, Markdown or CSV file to get a summary, a table of every key result "
            "and the report as Markdown, JSON and CSV."
        )
        return
    data = uploaded.getvalue()
    fingerprint = (
        uploaded.name + hashlib.sha256(data).hexdigest() + settings_fingerprint(overrides, api_key)
    )
    result = st.session_state.get("file_result")
    if result is None or result["fingerprint"] != fingerprint:
        result = {"fingerprint": fingerprint, "report": None, "error": None}
        try:
            okr_set = parse_upload(uploaded.name, data)
        except Exception as exc:
            result["error"] = exc
        else:
            result["report"] = run_review(okr_set, overrides, api_key)
        st.session_state["file_result"] = result
    if result["error"] is not None:
        show_parse_error(result["error"])
        return
    report = result["report"]
    if report is None:
        return
    show_caption(report)
    show_notes(report)
    show_summary(report)
    show_downloads(report, key="file")
    st.markdown("**Every key result**")
    show_table(report)
    show_set_findings(report)
    show_cards(report, key="file")


def main() -> None:
    """The page."""
    st.set_page_config(page_title="OKR reviewer", page_icon=":material/rate_review:", layout="wide")
    st.title("OKR key-result reviewer")
    st.caption(
        "Paste drafted key results or upload a team file: see what is wrong, why, and a better "
        "version to copy. Rewrites never invent numbers — fill in the marked placeholders."
    )
    try:
        overrides, api_key = settings_from_sidebar()
    except Exception as exc:
        show_error(f"The settings could not be loaded ({type(exc).__name__}: {exc}).")
        return
    paste_tab, file_tab = st.tabs(
        [":material/edit_note: Paste drafts", ":material/upload_file: Review a team file"]
    )
    with paste_tab:
        paste_mode(overrides, api_key)
    with file_tab:
        file_mode(overrides, api_key)


main()
