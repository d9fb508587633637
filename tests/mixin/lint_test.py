#!/usr/bin/python3
"""mixtool lint's rules for alerts, over the shipped rule files (packaging/prometheus/).

mixtool (monitoring-mixins/mixtool, pkg/mixer/lint.go) checks each alert against the
monitoring-mixins guidelines; this test implements the same checks, by the same names, plus
proxywatch's own: a runbook_url that a browser opens (http or https, no file://), a static
`cause` label, and a summary of one sentence.

  alert-name-camelcase            the name matches ^([A-Z]+[a-z0-9]+)+$
  alert-severity-rule             label severity is critical, warning or info
  alert-description-missing-rule  annotation description exists ...
  alert-description-templating    ... and uses a template ({{ ... }})
  alert-summary-missing-rule      annotation summary exists ...
  alert-summary-templating        ... uses no template ...
  alert-summary-style             ... starts with a capital letter and ends with a period
  (ours) alert-summary-one-sentence, alert-runbook-url, alert-cause-label

Usage: lint_test.py [SOURCE_DIR]. A broken copy of the rules must fail every check (the test
proves it on one).
"""
import copy
import pathlib
import re
import sys
import unittest

import yaml

SOURCE = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                      pathlib.Path(__file__).resolve().parents[2])
RULE_FILES = ["packaging/prometheus/proxywatch-alerts.yml",
              "packaging/prometheus/proxywatch-blackbox-compat.yml"]

CAMEL_CASE = re.compile(r"^([A-Z]+[a-z0-9]+)+$")
GO_TEMPLATE = re.compile(r"\{\{.+\}\}")
SENTENCE = re.compile(r"^[A-Z].+\.$")
SEVERITIES = {"critical", "warning", "info"}


def lint_alert(rule):
    """The violations of one alert rule, each as "[check] Alert NAME: why"."""
    name = rule["alert"]
    labels = rule.get("labels") or {}
    annotations = rule.get("annotations") or {}
    errors = []

    def error(check, why):
        errors.append("[%s] Alert %s: %s" % (check, name, why))

    if not CAMEL_CASE.match(name):
        error("alert-name-camelcase", "name is not in camel case")
    if labels.get("severity") not in SEVERITIES:
        error("alert-severity-rule", "severity must be critical, warning or info, is %r"
              % labels.get("severity"))
    if "description" not in annotations:
        error("alert-description-missing-rule", "no annotation description")
    elif not GO_TEMPLATE.search(annotations["description"]):
        error("alert-description-templating", "description uses no template")
    summary = annotations.get("summary")
    if summary is None:
        error("alert-summary-missing-rule", "no annotation summary")
    else:
        if GO_TEMPLATE.search(summary):
            error("alert-summary-templating", "summary must not use templates")
        if not SENTENCE.match(summary):
            error("alert-summary-style", "summary must start with a capital letter and end "
                  "with a period: %r" % summary)
        if re.search(r"[.!?]\s+\S", summary):
            error("alert-summary-one-sentence", "summary has more than one sentence")
    if not re.match(r"^https?://", annotations.get("runbook_url", "")):
        error("alert-runbook-url", "runbook_url must be an http(s) URL, is %r"
              % annotations.get("runbook_url"))
    if not re.fullmatch(r"[a-z_]+", labels.get("cause", "")):
        error("alert-cause-label", "no static cause label")
    return errors


def lint(groups):
    errors = []
    for group in groups:
        for rule in group["rules"]:
            if "alert" in rule:
                errors += lint_alert(rule)
    return errors


class MixtoolLintTest(unittest.TestCase):
    def test_shipped_rules_pass(self):
        alerts = 0
        for relative in RULE_FILES:
            groups = yaml.safe_load((SOURCE / relative).read_text())["groups"]
            alerts += sum("alert" in r for g in groups for r in g["rules"])
            errors = lint(groups)
            self.assertEqual(errors, [], relative + ":\n" + "\n".join(errors))
        self.assertGreaterEqual(alerts, 20)

    def test_a_broken_copy_fails_every_check(self):
        groups = yaml.safe_load((SOURCE / RULE_FILES[0]).read_text())["groups"]
        broken = copy.deepcopy(groups)
        rules = [r for g in broken for r in g["rules"] if "alert" in r]
        rules[0]["alert"] = "proxywatch_proxy_failing"
        rules[1]["labels"]["severity"] = "page"
        del rules[2]["annotations"]["description"]
        rules[3]["annotations"]["description"] = "A description without a template."
        del rules[4]["annotations"]["summary"]
        rules[5]["annotations"]["summary"] = "{{ $labels.instance }} is failing."
        rules[6]["annotations"]["summary"] = "the proxy fails"
        rules[7]["annotations"]["summary"] = "The proxy fails. Page someone."
        rules[8]["annotations"]["runbook_url"] = "file:///usr/share/doc/proxywatch/fleet.md"
        del rules[9]["annotations"]["runbook_url"]
        del rules[10]["labels"]["cause"]
        errors = lint(broken)
        for check in ("alert-name-camelcase", "alert-severity-rule",
                      "alert-description-missing-rule", "alert-description-templating",
                      "alert-summary-missing-rule", "alert-summary-templating",
                      "alert-summary-style", "alert-summary-one-sentence", "alert-runbook-url",
                      "alert-cause-label"):
            self.assertTrue(any(e.startswith("[%s]" % check) for e in errors), check)
        self.assertEqual(len([e for e in errors if "alert-runbook-url" in e]), 2)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
