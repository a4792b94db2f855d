"""One settings reader for the command line and the web app, strict about every value.

Layers: defaults < instance file < ``CROSSINNOV_*`` < explicit overrides. Every
setting field of :class:`Settings` is covered by the parametrised tests, so a new
field is checked without a new test.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import shutil
import signal
import subprocess
import sys

import pytest
import requests

from crossinnov.cli import main
from crossinnov.config import (
    RULES,
    Settings,
    SettingsError,
    field_types,
    load_settings,
)

FIELDS = [f.name for f in dataclasses.fields(Settings)]
KINDS = field_types()
BOOLEANS = [name for name in FIELDS if KINDS[name][0] is bool]
NUMBERS = [name for name in FIELDS if KINDS[name][0] in (int, float)]
TRUE_SPELLINGS = ["1", "true", "yes", "on", "TRUE", " Yes ", "On", "\ttrue\n"]
FALSE_SPELLINGS = ["0", "false", "no", "off", "FALSE", " No ", "Off", "\tfalse\n"]
DIGITS_TOKEN = "0123456789012345678"
#: good values for the strings with a rule of their own
GOOD_STRINGS = {"analysis_engine": "networkx", "replicas": "disk", "store_auth": "digest"}
#: good values for the numbers with a rule narrower than "0 or more"
#: shares where 0 means "no check"
ZERO_MEANS_OFF = {"analysis_memory_share"}
GOOD_NUMBERS = {"replica_memory_share": 0.75, "analysis_memory_share": 0.6}


def good_value(name: str):
    """A value of the setting's type that differs from its default and fits its rule."""
    kind, _ = KINDS[name]
    default = getattr(Settings(store="x"), name)
    if name in GOOD_NUMBERS:
        return GOOD_NUMBERS[name]
    if kind is bool:
        return not default
    if kind is int:
        return default + 3
    if kind is float:
        return default + 1.5
    return GOOD_STRINGS.get(name, "https://example.org/some/value-0123456789/")


def as_env_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "off"
    return str(value)


def read(tmp_path, environ=None, **kwargs):
    """Settings as the reader sees them, with no instance file unless one is given."""
    return load_settings(environ=environ or {}, instance_path=tmp_path, **kwargs).settings


def write_config(path, **values) -> str:
    path.write_text("".join(f"{key} = {value!r}\n" for key, value in values.items()))
    return str(path)


# --- every field, from every layer -------------------------------------------------------------

@pytest.mark.parametrize("name", FIELDS)
def test_every_setting_reads_a_good_value_from_the_environment(tmp_path, name):
    value = good_value(name)
    settings = read(tmp_path, {f"CROSSINNOV_{name.upper()}": as_env_text(value)})
    assert getattr(settings, name) == value
    assert type(getattr(settings, name)) is KINDS[name][0]


@pytest.mark.parametrize("name", FIELDS)
def test_every_setting_reads_a_good_value_from_the_instance_file(tmp_path, name):
    value = good_value(name)
    (tmp_path / "crossinnov.cfg").write_text(f"{name.upper()} = {value!r}\n")
    settings = read(tmp_path)
    assert getattr(settings, name) == value
    assert type(getattr(settings, name)) is KINDS[name][0]


@pytest.mark.parametrize("name", FIELDS)
def test_every_setting_refuses_a_bad_value_and_names_itself(tmp_path, name):
    kind, _ = KINDS[name]
    variable = f"CROSSINNOV_{name.upper()}"
    bad_texts = {bool: ["maybe", "2", "enabled"], int: ["seven", "1.5", "-1", "nan"],
                 float: ["fast", "nan", "inf", "-inf", "-1"]}.get(kind, [])
    for text in bad_texts:
        with pytest.raises(SettingsError, match=re.escape(variable)):
            read(tmp_path, {variable: text})
    # from the instance file, a value of another type: named with its key and the file
    config = write_config(tmp_path / "bad.cfg", **{name.upper(): ["not", "a", kind.__name__]})
    with pytest.raises(SettingsError) as caught:
        read(tmp_path, config_file=config)
    assert name.upper() in str(caught.value) and config in str(caught.value)
    # from an explicit override (a CLI option, create_app's test_config)
    with pytest.raises(SettingsError, match=name.upper()):
        read(tmp_path, overrides={name: object()})


@pytest.mark.parametrize("name", NUMBERS)
def test_numbers_refuse_negatives_and_zero_where_it_makes_no_sense(tmp_path, name):
    variable = f"CROSSINNOV_{name.upper()}"
    with pytest.raises(SettingsError, match=f"{variable}: must be"):
        read(tmp_path, {variable: "-1"})
    if name in ZERO_MEANS_OFF:  # 0 turns it off; past 1 is no share
        assert getattr(read(tmp_path, {variable: "0"}), name) == 0
        with pytest.raises(SettingsError, match=f"{variable}: must be 0"):
            read(tmp_path, {variable: "1.5"})
    elif name in RULES:  # the positive ones
        with pytest.raises(SettingsError, match=f"{variable}: must be more than 0"):
            read(tmp_path, {variable: "0"})


@pytest.mark.parametrize("name", BOOLEANS)
@pytest.mark.parametrize("spelling,expected", [*((s, True) for s in TRUE_SPELLINGS),
                                               *((s, False) for s in FALSE_SPELLINGS)])
def test_booleans_accept_the_eight_spellings(tmp_path, name, spelling, expected):
    assert getattr(read(tmp_path, {f"CROSSINNOV_{name.upper()}": spelling}), name) is expected
    (tmp_path / "crossinnov.cfg").write_text(f"{name.upper()} = {spelling!r}\n")
    assert getattr(read(tmp_path), name) is expected


@pytest.mark.parametrize("name", BOOLEANS)
@pytest.mark.parametrize("spelling", ["maybe", "2", "y", "n", "enable", "none", "null", "-1",
                                      "truee", "o n"])
def test_booleans_refuse_any_other_spelling(tmp_path, name, spelling):
    variable = f"CROSSINNOV_{name.upper()}"
    with pytest.raises(SettingsError) as caught:
        read(tmp_path, {variable: spelling})
    assert str(caught.value) == (f"{variable}: expected one of 1/0, true/false, yes/no, on/off, "
                                 f"got {spelling!r}")


def test_python_true_and_the_string_yes_both_work_in_the_instance_file(tmp_path):
    config = write_config(tmp_path / "a.cfg", ALLOW_SERVICE=True)
    assert read(tmp_path, config_file=config).allow_service is True
    config = write_config(tmp_path / "b.cfg", ALLOW_SERVICE="yes")
    assert read(tmp_path, config_file=config).allow_service is True


def test_tokens_stay_strings_whatever_they_look_like(tmp_path):
    assert read(tmp_path, {"CROSSINNOV_TOKEN": DIGITS_TOKEN}).token == DIGITS_TOKEN
    # a Python int in the file (a str is expected) becomes its text
    (tmp_path / "crossinnov.cfg").write_text("TOKEN = 1234567890123456789\n")
    token = read(tmp_path).token
    assert token == "1234567890123456789" and isinstance(token, str)
    for text in ("1e400", "true", "null", "[1, 2]", '{"a": 1}', "12345678901234567.0"):
        assert read(tmp_path, {"CROSSINNOV_STORE": text}).store == text


def test_a_short_token_is_refused_at_start(tmp_path):
    with pytest.raises(SettingsError, match="CROSSINNOV_TOKEN: a token must have at least 16"):
        read(tmp_path, {"CROSSINNOV_TOKEN": "short"})


# --- layers ------------------------------------------------------------------------------------

def test_layers_defaults_then_file_then_environment_then_overrides(tmp_path):
    (tmp_path / "crossinnov.cfg").write_text(
        "QUERY_TIMEOUT = 11\nMAX_RESULT_ROWS = 12\nMAX_QUERY_LENGTH = 13\n")
    settings = read(tmp_path, {"CROSSINNOV_MAX_RESULT_ROWS": "22", "CROSSINNOV_MAX_QUERY_LENGTH":
                               "23"}, overrides={"max_query_length": 33, "query_workers": None})
    assert (settings.query_timeout, settings.max_result_rows, settings.max_query_length) == (
        11.0, 22, 33)
    assert settings.query_workers == Settings().query_workers  # None: not given
    assert settings.analysis_seed == Settings().analysis_seed


def test_crossinnov_config_names_the_file_instead_of_the_instance_folder(tmp_path):
    (tmp_path / "crossinnov.cfg").write_text("QUERY_TIMEOUT = 11\n")
    named = write_config(tmp_path / "named.cfg", QUERY_TIMEOUT=7)
    assert read(tmp_path, {"CROSSINNOV_CONFIG": named}).query_timeout == 7.0
    assert read(tmp_path).query_timeout == 11.0


def test_a_named_file_that_is_missing_stops_with_its_name(tmp_path):
    missing = str(tmp_path / "nowhere.cfg")
    with pytest.raises(SettingsError, match=re.escape(missing)):
        read(tmp_path, {"CROSSINNOV_CONFIG": missing})


def test_a_file_that_is_not_python_stops_with_its_name(tmp_path):
    (tmp_path / "crossinnov.cfg").write_text("QUERY_TIMEOUT = = 3\n")
    with pytest.raises(SettingsError, match=r"crossinnov\.cfg: cannot read the settings file"):
        read(tmp_path)


def test_a_bad_value_in_the_file_names_the_key_and_the_file(tmp_path):
    (tmp_path / "crossinnov.cfg").write_text("ALLOW_SERVICE = 'perhaps'\n")
    with pytest.raises(SettingsError) as caught:
        read(tmp_path)
    assert str(caught.value) == (f"{tmp_path / 'crossinnov.cfg'}: ALLOW_SERVICE: expected one "
                                 "of 1/0, true/false, yes/no, on/off, got 'perhaps'")


def test_other_keys_of_the_file_are_kept_for_flask(tmp_path):
    (tmp_path / "crossinnov.cfg").write_text("SECRET_KEY = 'abc'\nlower = 1\nQUERY_TIMEOUT = 4\n")
    loaded = load_settings(environ={}, instance_path=tmp_path)
    assert dict(loaded.extra) == {"SECRET_KEY": "abc"}
    assert loaded.file == tmp_path / "crossinnov.cfg"


def test_a_misspelt_variable_is_warned_about(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="crossinnov.config"):
        read(tmp_path, {"CROSSINNOV_QUERY_TIMOUT": "3", "CROSSINNOV_TEST_STORE": "embedded"})
    assert [r.getMessage() for r in caplog.records] == [
        "CROSSINNOV_QUERY_TIMOUT is not a setting; did you mean CROSSINNOV_QUERY_TIMEOUT?"]


def test_empty_variables_count_as_unset(tmp_path):
    assert read(tmp_path, {"CROSSINNOV_QUERY_TIMEOUT": "", "CROSSINNOV_TOKEN": ""}) == read(
        tmp_path)


# --- the web app -------------------------------------------------------------------------------

def app_config(**extra):
    return {"STORE": ":memory:", "QUERY_WORKERS": 1, "TESTING": True, "ANALYSE_ON_START": False,
            "FILL_EMPTY_STORE": False, **extra}


@pytest.fixture
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("CROSSINNOV_") and name != "CROSSINNOV_TEST_STORE":
            monkeypatch.delenv(name)
    return monkeypatch


def test_allow_service_no_keeps_service_off_in_the_web_app(clean_env, make_app):
    """Regression: Flask's from_prefixed_env kept "no" as a (truthy) string."""
    clean_env.setenv("CROSSINNOV_ALLOW_SERVICE", "no")
    app = make_app()
    assert app.extensions["crossinnov"].settings.allow_service is False
    assert app.config["ALLOW_SERVICE"] is False


def test_a_digit_token_in_the_environment_is_a_string_in_the_web_app(clean_env, make_app):
    """Regression: Flask's from_prefixed_env made it an int (TypeError)."""
    clean_env.setenv("CROSSINNOV_TOKEN", DIGITS_TOKEN)
    app = make_app()
    assert app.extensions["crossinnov"].settings.token == DIGITS_TOKEN
    r = app.test_client().post("/api/profiles", headers={"Authorization": f"Bearer {DIGITS_TOKEN}"},
                               json={"id": "digits-org", "name": "Digits Org", "city": "linz",
                                     "sectors": ["design"]})
    assert r.status_code == 201, r.get_data(as_text=True)


def test_a_bad_setting_stops_create_app_at_start(clean_env, tmp_path):
    from crossinnov.web import create_app

    clean_env.setenv("CROSSINNOV_ALLOW_SERVICE", "maybe")
    with pytest.raises(SettingsError, match="CROSSINNOV_ALLOW_SERVICE: expected one of"):
        create_app(app_config(), instance_path=tmp_path)
    clean_env.delenv("CROSSINNOV_ALLOW_SERVICE")
    with pytest.raises(SettingsError, match="QUERY_TIMEOUT: must be more than 0"):
        create_app(app_config(QUERY_TIMEOUT=0), instance_path=tmp_path)


def test_create_app_reads_the_instance_folder_file(clean_env, tmp_path):
    from crossinnov.web import create_app

    (tmp_path / "crossinnov.cfg").write_text(
        "MAX_RESULT_ROWS = '17'\nALLOW_SERVICE = 'off'\nSECRET_KEY = 'from-the-file'\n"
        "QUERY_TIMEOUT = 9\n")
    clean_env.setenv("CROSSINNOV_QUERY_TIMEOUT", "8")
    app = create_app(app_config(), instance_path=tmp_path)
    try:
        settings = app.extensions["crossinnov"].settings
        assert settings.max_result_rows == 17 and settings.allow_service is False
        assert settings.query_timeout == 8.0  # the environment wins over the file
        assert app.config["SECRET_KEY"] == "from-the-file" and app.config["TESTING"] is True
    finally:
        app.extensions["crossinnov"].close()


# --- the command line --------------------------------------------------------------------------

def test_a_bad_setting_stops_the_cli_with_one_line(runner, clean_env, tmp_path):
    clean_env.setenv("CROSSINNOV_ALLOW_SERVICE", "maybe")
    result = runner.invoke(main, ["query", "--store", str(tmp_path / "s"), "ASK {}"])
    assert result.exit_code != 0
    assert result.output.strip() == ("Error: CROSSINNOV_ALLOW_SERVICE: expected one of 1/0, "
                                     "true/false, yes/no, on/off, got 'maybe'")


def test_serve_config_file_then_environment_then_options(runner, clean_env, tmp_path,
                                                        monkeypatch):
    import crossinnov.web.server as server

    seen = {}
    monkeypatch.setattr(server, "run", lambda settings, **kw: seen.update(settings=settings, **kw))
    config = write_config(tmp_path / "site.cfg", QUERY_TIMEOUT=12, MAX_RESULT_ROWS=34,
                          QUERY_WORKERS=3)
    clean_env.setenv("CROSSINNOV_MAX_RESULT_ROWS", "56")
    result = runner.invoke(main, ["serve", "--store", str(tmp_path / "s"), "--config", config,
                                  "--query-workers", "2"])
    assert result.exit_code == 0, result.output
    settings = seen["settings"]
    assert (settings.query_timeout, settings.max_result_rows, settings.query_workers) == (
        12.0, 56, 2)
    assert seen["config_file"] == config


def test_serve_refuses_a_bad_option_or_file_at_start(runner, clean_env, tmp_path):
    result = runner.invoke(main, ["serve", "--store", str(tmp_path / "s"), "--timeout", "0"])
    assert result.exit_code == 1 and "QUERY_TIMEOUT: must be more than 0" in result.output
    config = write_config(tmp_path / "bad.cfg", MAX_RESULT_ROWS="many")
    result = runner.invoke(main, ["serve", "--store", str(tmp_path / "s"), "--config", config])
    assert result.exit_code == 1
    assert f"{config}: MAX_RESULT_ROWS: expected a whole number, got 'many'" in result.output


def _crossinnov() -> list[str]:
    exe = shutil.which("crossinnov", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "crossinnov.cli"]


@pytest.mark.slow
def test_crossinnov_serve_honours_the_config_file_and_the_environment_wins(tmp_path,
                                                                          new_store_location):
    """Regression: ``serve`` passed every setting from the environment, hiding the file."""
    config = write_config(tmp_path / "site.cfg", MAX_RESULT_ROWS=5, MAX_QUERY_LENGTH=300,
                          ALLOW_SERVICE="no")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSINNOV_")}
    env["CROSSINNOV_MAX_RESULT_ROWS"] = "7"
    proc = subprocess.Popen([*_crossinnov(), "serve", "--port", "0", "--query-workers", "1",
                             "--store", new_store_location(), "--config", config],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r" at (http://127\.0\.0\.1:\d+)/", line)
        assert match, (line, proc.stderr.read() if proc.poll() is not None else "")
        url = match.group(1)
        r = requests.get(url + "/sparql", params={"query": "ASK {}"}, timeout=60,
                         headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200 and r.headers["X-SPARQL-MaxRows"] == "7"
        r = requests.get(url + "/sparql", params={"query": "ASK {}" + " " * 400}, timeout=60)
        assert r.status_code == 413 and "300 characters" in r.text
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


@pytest.mark.slow
def test_crossinnov_serve_stops_at_start_on_a_bad_setting(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSINNOV_")}
    env["CROSSINNOV_ALLOW_SERVICE"] = "maybe"
    # it stops by itself (a server that started would run until the 60 s timeout kills it)
    out = subprocess.run([*_crossinnov(), "serve", "--port", "0", "--store",
                          str(tmp_path / "s")], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.returncode != 0
    assert out.stderr.strip().splitlines() == [
        "Error: CROSSINNOV_ALLOW_SERVICE: expected one of 1/0, true/false, yes/no, on/off, "
        "got 'maybe'"]


@pytest.mark.parametrize(("name", "text"), [
    ("replicas", "ram"), ("replicas", "MEMORY"),
    ("replica_memory_share", "0"), ("replica_memory_share", "1.5"),
])
def test_where_the_workers_read_refuses_what_it_cannot_mean(tmp_path, name, text):
    with pytest.raises(SettingsError, match=f"CROSSINNOV_{name.upper()}"):
        read(tmp_path, {f"CROSSINNOV_{name.upper()}": text})
