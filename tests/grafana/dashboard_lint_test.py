#!/usr/bin/python3
"""The shipped dashboard passes dashboard_lint.py (grafana/dashboard-linter's rules) with its
.lint exclusions, and copies of it broken one way each fail with the rule that names the fault.
Usage: dashboard_lint_test.py [SOURCE_DIR] (default: the checkout this file is in)."""
import copy
import json
import os
import subprocess
import sys
import unittest

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import dashboard_lint  # noqa: E402
import promql  # noqa: E402

SOURCE = sys.argv.pop(1) if len(sys.argv) > 1 else os.path.join(HERE, "..", "..")
DASHBOARD = os.path.join(SOURCE, "packaging", "grafana", "proxywatch.json")
LINTFILE = os.path.join(HERE, "proxywatch.lint")


def load():
    with open(DASHBOARD, encoding="utf-8") as f:
        dashboard = json.load(f)
    with open(LINTFILE, encoding="utf-8") as f:
        return dashboard, yaml.safe_load(f)


def errors(dashboard, config):
    return [(rule, where.get("panel"), message)
            for severity, rule, where, message in dashboard_lint.lint(dashboard, config)
            if severity == "error"]


def panel(dashboard, title):
    return next(p for p in dashboard["panels"] if p.get("title") == title)


class ShippedDashboardTest(unittest.TestCase):
    def test_passes_every_rule(self):
        dashboard, config = load()
        self.assertEqual(errors(dashboard, config), [])

    def test_command_line_exits_zero(self):
        run = subprocess.run([sys.executable, os.path.join(HERE, "dashboard_lint.py"), DASHBOARD,
                              "--config", LINTFILE],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)

    def test_every_query_has_the_job_matcher_and_no_interval_variable(self):
        # What the issue asked beyond the linter: $job everywhere (variables too) and ranges that
        # do not depend on the data source's scrape interval setting.
        dashboard, _ = load()
        text = json.dumps(dashboard)
        self.assertNotIn("$__rate_interval", text)
        self.assertNotIn("$__interval", text)
        for t in dashboard["templating"]["list"]:
            if t["type"] == "query" and t["name"] != "job":
                self.assertIn('job=~\\"$job\\"', json.dumps(t["query"]), t["name"])
        job = next(t for t in dashboard["templating"]["list"] if t["name"] == "job")
        self.assertEqual(job["current"]["value"], ["proxywatch"])


class BrokenCopyTest(unittest.TestCase):
    """Each test breaks one thing in a copy and expects exactly the rule about it to fail."""

    def setUp(self):
        self.dashboard, self.config = load()
        self.broken = copy.deepcopy(self.dashboard)

    def assertFails(self, rule, panel_title=None):
        found = errors(self.broken, self.config)
        self.assertTrue(found, "the broken copy passed")
        self.assertEqual({r for r, _, _ in found}, {rule}, found)
        if panel_title is not None:
            self.assertEqual({p for _, p, _ in found}, {panel_title}, found)

    def set_expr(self, title, expr, idx=0):
        panel(self.broken, title)["targets"][idx]["expr"] = expr

    def test_inputs_present(self):
        self.broken["__inputs"] = [{"name": "DS_PROMETHEUS", "type": "datasource",
                                    "pluginId": "prometheus"}]
        self.assertFails("dashboard-inputs-rule")

    def test_panel_without_job_matcher(self):
        self.set_expr("Probe duration",
                      'proxywatch_probe_duration_seconds{instance=~"$instance"}')
        self.assertFails("target-job-rule", "Probe duration")

    def test_fleet_panel_without_job_matcher(self):
        # The fleet panels are excluded from the instance rule only.
        self.set_expr("Versions", "count by (version) (proxywatch_build_info)")
        self.assertFails("target-job-rule", "Versions")

    def test_hard_coded_job(self):
        self.set_expr("Probe duration", 'proxywatch_probe_duration_seconds{job="proxywatch",'
                                        'instance=~"$instance"}')
        self.assertFails("target-job-rule")

    def test_drill_down_panel_without_instance_matcher(self):
        self.set_expr("Probe duration", 'proxywatch_probe_duration_seconds{job=~"$job"}')
        self.assertFails("target-instance-rule", "Probe duration")

    def test_rate_with_a_fixed_window(self):
        self.set_expr("TCP retransmits (per 5 minutes)",
                      'rate(proxywatch_tcp_retransmitted_segments_total'
                      '{job=~"$job",instance=~"$instance"}[1m])')
        self.assertFails("target-rate-interval-rule")

    def test_counter_without_rate(self):
        self.set_expr("Outcomes over time",
                      'sum(proxywatch_probes_total{job=~"$job",instance=~"$instance"})')
        self.assertFails("target-counter-agg-rule")

    def test_unbalanced_query(self):
        self.set_expr("Probe duration", 'sum(proxywatch_probe_duration_seconds'
                                        '{job=~"$job",instance=~"$instance"}')
        self.assertFails("target-promql-rule")

    def test_unknown_function(self):
        self.set_expr("Probe duration", 'rated(proxywatch_probe_duration_seconds'
                                        '{job=~"$job",instance=~"$instance"}[5m])')
        self.assertFails("target-promql-rule")

    def test_annotation_without_job_matcher(self):
        self.broken["annotations"]["list"][1]["expr"] = (
            'changes(proxywatch_config_last_reload_timestamp_seconds'
            '{instance=~"$instance"}[3m]) > 0')
        self.assertFails("target-job-rule")

    def test_no_job_variable(self):
        self.broken["templating"]["list"] = [
            t for t in self.broken["templating"]["list"] if t["name"] != "job"]
        self.assertFails("template-job-rule")

    def test_instance_variable_not_multi(self):
        next(t for t in self.broken["templating"]["list"] if t["name"] == "instance")["multi"] = \
            False
        self.assertFails("template-instance-rule")

    def test_no_datasource_variable(self):
        self.broken["templating"]["list"] = [
            t for t in self.broken["templating"]["list"] if t["type"] != "datasource"]
        # Every panel's ${datasource} then names no variable: panel-datasource-rule fails too.
        found = {r for r, _, _ in errors(self.broken, self.config)}
        self.assertEqual(found, {"template-datasource-rule", "panel-datasource-rule"})

    def test_variable_query_that_does_not_parse(self):
        t = next(t for t in self.broken["templating"]["list"] if t["name"] == "proxy")
        t["query"]["query"] = 'label_values(proxywatch_probe_success{job=~"$job", proxy)'
        self.assertFails("template-label-promql-rule")

    def test_variable_not_refreshed_on_time_change(self):
        next(t for t in self.broken["templating"]["list"] if t["name"] == "target")["refresh"] = 1
        self.assertFails("template-on-time-change-reload-rule")

    def test_hard_coded_datasource(self):
        panel(self.broken, "Probe duration")["datasource"] = {"type": "prometheus",
                                                              "uid": "P1809F7CD0C75ACF3"}
        self.assertFails("panel-datasource-rule", "Probe duration")

    def test_panel_without_description(self):
        del panel(self.broken, "Probe duration")["description"]
        self.assertFails("panel-title-description-rule", "Probe duration")

    def test_panel_without_unit(self):
        del panel(self.broken, "Probe duration")["fieldConfig"]["defaults"]["unit"]
        self.assertFails("panel-units-rule", "Probe duration")

    def test_panel_without_targets(self):
        panel(self.broken, "Probe duration")["targets"] = []
        self.assertFails("panel-no-targets-rule", "Probe duration")

    def test_exclusion_of_a_renamed_panel(self):
        panel(self.broken, "Versions")["title"] = "proxywatch versions"
        found = errors(self.broken, self.config)
        self.assertIn("lint-config", {r for r, _, _ in found})
        self.assertIn("target-instance-rule", {r for r, _, _ in found})


class ProvisioningTest(unittest.TestCase):
    """The provisioning examples name where proxywatch-mixin installs the dashboard."""

    def load(self, *parts):
        with open(os.path.join(SOURCE, "packaging", "grafana", "provisioning", *parts),
                  encoding="utf-8") as f:
            return yaml.safe_load(f)

    def test_dashboard_provider_reads_the_installed_folder(self):
        provider, = self.load("dashboards", "proxywatch.yaml")["providers"]
        self.assertEqual(provider["type"], "file")
        # packaging/CMakeLists.txt installs packaging/grafana/*.json there.
        self.assertEqual(provider["options"]["path"], "/usr/share/proxywatch/grafana")

    def test_datasource_is_prometheus_with_the_scrape_interval(self):
        source, = self.load("datasources", "prometheus.yaml")["datasources"]
        self.assertEqual(source["type"], "prometheus")
        self.assertEqual(source["jsonData"]["timeInterval"], "15s")


class PromQLParserTest(unittest.TestCase):
    def test_accepts_prometheus_syntax(self):
        for expr in ['x[5m:1m]', 'x offset 5m', 'sum(x) by (a)', 'a / on (b) group_left c',
                     'a > bool 1', '-x ^ 2 ^ 3', 'rate(x[5m] offset 1m)', 'up == 0',
                     'histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))',
                     '{__name__="up"}', 'max_over_time((x > 0)[1h:])', 'count(x) or vector(0)',
                     'topk(10, count by (a) (x))', 'job:x:rate5m{a=~"b"}']:
            promql.parse(expr)

    def test_rejects_what_prometheus_rejects(self):
        for expr in ['sum(rate(x[5m])', 'rate(x)', 'foo(x)', 'x +', '{}', 'x{a="b"',
                     'sum by (a) (x) )', 'x[5m][5m]', 'topk(x)', 'x{a=b}', 'a + bool b', '']:
            with self.assertRaises(promql.PromQLError, msg=expr):
                promql.parse(expr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
