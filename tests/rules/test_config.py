"""Configuration: select / ignore / extend_select, per-code severity and policy presets."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.config import Config, load_config
from reviewer.errors import ConfigError
from reviewer.models import KeyResult
from reviewer.rules import check_key_result, effective_severity, enabled_rules

OUTPUT_KR = KeyResult(text="Launch the partner API")  # KR101 and KR301
NO_BASELINE_KR = KeyResult(text="Achieve 99.9% availability by end of Q3")  # KR201


def codes(config: Config, kr: KeyResult = OUTPUT_KR) -> dict[str, str]:
    return {f.code: f.severity for f in check_key_result(kr, None, None, config).findings}


def test_default_set_is_everything_but_kr402() -> None:
    enabled = {s.code for s in enabled_rules(Config())}
    assert "KR402" not in enabled
    assert {"KR101", "KR301", "OKR601", "KR901", "KR902"} <= enabled


def test_extend_select_turns_on_an_off_by_default_rule() -> None:
    config = Config(extend_select=["KR402"])
    assert "KR402" in {s.code for s in enabled_rules(config)}
    found = codes(config, KeyResult(text="Raise availability from 99.5% to 99.9% by Q3"))
    assert found == {"KR402": "info"}


def test_select_replaces_the_default_set_and_accepts_prefixes() -> None:
    config = Config(select=["KR1"])
    assert [s.code for s in enabled_rules(config)] == ["KR101", "KR102", "KR103"]
    assert codes(config) == {"KR101": "error"}


def test_select_all_includes_off_by_default_rules() -> None:
    assert "KR402" in {s.code for s in enabled_rules(Config(select=["ALL"]))}


def test_ignore_removes_codes_after_select() -> None:
    config = Config(select=["KR"], ignore=["KR301", "KR4"])
    enabled = {s.code for s in enabled_rules(config)}
    assert "KR301" not in enabled and not any(c.startswith("KR4") for c in enabled)
    assert codes(config) == {"KR101": "error"}


def test_codes_are_case_insensitive_and_comma_separated() -> None:
    config = Config(select="kr101, kr301")
    assert [s.code for s in enabled_rules(config)] == ["KR101", "KR301"]


@pytest.mark.parametrize("field", ["select", "ignore", "extend_select"])
def test_unknown_code_is_a_config_error(field: str) -> None:
    with pytest.raises(ConfigError, match="KR999"):
        enabled_rules(Config(**{field: ["KR999"]}))


def test_unknown_code_in_severity_table_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        check_key_result(OUTPUT_KR, None, None, Config(severity={"XX1": "info"}))


def test_per_code_severity_override() -> None:
    config = Config(severity={"KR301": "error", "KR101": "info"})
    assert codes(config) == {"KR101": "info", "KR301": "error"}


def test_strict_policy_is_the_default() -> None:
    assert Config().policy == "strict"
    assert codes(Config())["KR101"] == "error"


def test_early_stage_policy_tolerates_outputs_and_missing_baselines() -> None:
    config = Config(policy="early-stage")
    assert codes(config)["KR101"] == "warning"
    assert codes(config, NO_BASELINE_KR)["KR201"] == "info"
    assert effective_severity("KR102", config) == "error"


def test_severity_table_wins_over_the_policy() -> None:
    config = Config(policy="early-stage", severity={"KR101": "error"})
    assert codes(config)["KR101"] == "error"


def test_stretch_threshold_moves_kr205() -> None:
    kr = KeyResult(text="Raise 7-day retention from 40% to 44% by Q3")  # a 10% rise
    assert "KR205" not in codes(Config(), kr)
    assert "KR205" in codes(Config(stretch_threshold=0.2), kr)


def test_settings_from_a_real_config_file(tmp_path: Path) -> None:
    (tmp_path / ".okr-review.toml").write_text(
        'policy = "early-stage"\nignore = ["KR301"]\n[severity]\nKR205 = "error"\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path, use_env=False)
    assert codes(config) == {"KR101": "warning"}
    timid = KeyResult(text="Raise 7-day retention from 40% to 41%")
    assert codes(config, timid) == {"KR205": "error"}


def test_settings_from_pyproject_tool_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.okr-review]\nselect = ["KR101"]\nmax-key-results = 2\n', encoding="utf-8"
    )
    config = load_config(tmp_path, use_env=False)
    assert config.max_key_results == 2
    assert codes(config) == {"KR101": "error"}
