#!/usr/bin/python3
"""Lints a Grafana dashboard with the rules of grafana/dashboard-linter, reimplemented: the same
rule names and checks (template-*, panel-*, target-*), plus dashboard-inputs-rule of our own (no
`__inputs`: the file is provisioned as well as imported). Annotations' queries get the target
rules too. Deviations made on purpose are excluded, each with its reason, in a lint file in
dashboard-linter's `.lint` format (by default `.lint` beside the dashboard, as there):

    exclusions:
      RULE:
        reason: why
        entries:            # none: the whole rule
          - panel: TITLE    # and/or dashboard: TITLE, targetIdx: N
            reason: why

An exclusion that matches nothing is an error itself, so none outlives its panel.

Usage: dashboard_lint.py DASHBOARD.json [--config LINTFILE]. Exit 0 when no error is left.
"""
import json
import os
import re
import sys

import yaml

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import promql  # noqa: E402

# Grafana's own variables that stand for a duration, replaced by a distinct one each, so the
# rules can tell [$__rate_interval] from a fixed window after parsing.
TIME_VARIABLES = {"__rate_interval": "7919s", "__interval": "7907s", "__range": "7901s",
                  "__range_s": "7901", "__interval_ms": "7907000", "__range_ms": "7901000"}
QUERY_PANELS = {"singlestat", "graph", "table", "stat", "state-timeline", "timeseries", "gauge",
                "bargauge", "heatmap", "piechart", "status-history", "barchart"}
UNIT_PANELS = {"stat", "singlestat", "graph", "table", "timeseries", "gauge", "bargauge"}
# Grafana's unit ids (packages/grafana-data/src/valueFormats/categories.ts), the families a
# monitoring dashboard uses.
UNITS = set("""none string short percent percentunit hex0x hex sci locale bytes decbytes bits
decbits kbytes deckbytes mbytes decmbytes gbytes decgbytes pps binBps Bps binbps bps KiBs Kibits
KBs Kbits MiBs Mibits MBs Mbits dateTimeAsIso dateTimeAsIsoNoDateIfToday dateTimeAsUS
dateTimeAsLocal dateTimeAsSystem dateTimeFromNow hertz ns µs ms s m h d dtdurationms dtdurations
dthms dtdhms timeticks clockms clocks cps ops reqps rps wps iops cpm opm rpm wpm bool bool_yes_no
bool_on_off""".split())
_VARIABLE = re.compile(r"\$\{([^}:]+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)\]\]")
_QUOTED = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')


def expand(expr):
    """`expr` with the variables outside quotes replaced by something PromQL parses."""
    def outside(text):
        def sub(m):
            name = m.group(1) or m.group(2) or m.group(3)
            return TIME_VARIABLES.get(name, "var_" + name)
        return _VARIABLE.sub(sub, text)
    out, at = [], 0
    for m in _QUOTED.finditer(expr):
        out.append(outside(expr[at:m.start()]))
        out.append(m.group())
        at = m.end()
    out.append(outside(expr[at:]))
    return "".join(out)


class Linter:
    def __init__(self, dashboard, config):
        self.d = dashboard
        self.title = dashboard.get("title", "")
        self.templates = dashboard.get("templating", {}).get("list", [])
        self.exclusions = (config or {}).get("exclusions") or {}
        self.warnings_cfg = (config or {}).get("warnings") or {}
        self.used = set()
        self.results = []  # (severity, rule, where, message)

    # --- reporting, with the .lint file's exclusions and warnings applied
    def report(self, rule, message, panel=None, target_idx=None, severity="error"):
        where = {"dashboard": self.title, "panel": panel, "targetIdx": target_idx}
        if self._matches(self.exclusions, rule, where):
            return
        if self._matches(self.warnings_cfg, rule, where):
            severity = "warning"
        self.results.append((severity, rule, where, message))

    def _matches(self, table, rule, where):
        if rule not in table:
            return False
        entries = (table[rule] or {}).get("entries") or []
        if not entries:
            self.used.add((id(table), rule, None))
            return True
        for i, e in enumerate(entries):
            if (e.get("dashboard", self.title) == self.title
                    and ("panel" not in e or e["panel"] == where["panel"])
                    and ("targetIdx" not in e or str(e["targetIdx"]) == str(where["targetIdx"]))):
                self.used.add((id(table), rule, i))
                return True
        return False

    def check_exclusions_used(self):
        for table in (self.exclusions, self.warnings_cfg):
            for rule, body in table.items():
                entries = (body or {}).get("entries") or []
                keys = [None] if not entries else range(len(entries))
                for i in keys:
                    if (id(table), rule, i) not in self.used:
                        what = "" if i is None else " entry %s" % json.dumps(entries[i])
                        self.results.append(("error", "lint-config", {},
                                             "exclusion of %s%s matches nothing" % (rule, what)))

    # --- the rules
    def run(self):
        self.dashboard_rules()
        for p in self.panels():
            self.panel_rules(p)
            for idx, t in enumerate(p.get("targets") or []):
                self.target_rules(p.get("title", ""), idx, t.get("expr", ""), p)
        for a in self.d.get("annotations", {}).get("list", []):
            if "expr" in a:
                self.target_rules("annotation " + a.get("name", ""), 0, a["expr"], None)
        self.check_exclusions_used()
        return self.results

    def panels(self):
        for p in self.d.get("panels", []):
            yield p
            yield from p.get("panels") or []  # a collapsed row holds its panels

    def dashboard_rules(self):
        if "__inputs" in self.d:
            self.report("dashboard-inputs-rule", "has __inputs: the import-only form, which "
                        "provisioning does not fill in; use the ${datasource} variable")
        ds = [t for t in self.templates if t.get("type") == "datasource"]
        if not ds:
            self.report("template-datasource-rule", "has no templated data source")
        for t in ds:
            query = t.get("query", "")
            if t.get("name") not in {"%s_datasource" % query.lower()} | (
                    {"datasource"} if len(ds) == 1 else set()):
                self.report("template-datasource-rule",
                            "data source variable named %r, should be 'datasource'" % t.get("name"))
            if t.get("label") not in {"%s data source" % query.title()} | (
                    {"Data source"} if len(ds) == 1 else set()):
                self.report("template-datasource-rule", "data source variable labelled %r, "
                            "should be 'Data source'" % t.get("label"), severity="warning")
        if ds and ds[0].get("query") == "prometheus":
            for name in ("job", "instance"):
                self.template_rule(name)
            self.label_promql_rule()
        for t in self.templates:
            if t.get("type") == "query" and t.get("refresh") != 2:
                self.report("template-on-time-change-reload-rule", "variable %r should refresh on "
                            "time range change (2), is %r" % (t.get("name"), t.get("refresh")))

    def template_rule(self, name):
        rule = "template-%s-rule" % name
        t = next((t for t in self.templates if t.get("name") == name), None)
        if t is None:
            self.report(rule, "is missing the %s template" % name)
            return
        uid = (t.get("datasource") or {}).get("uid") if isinstance(t.get("datasource"), dict) \
            else t.get("datasource")
        if uid not in ("$datasource", "${datasource}"):
            self.report(rule, "%s template should use data source '$datasource', uses %r"
                        % (name, uid))
        if t.get("type") != "query":
            self.report(rule, "%s template should be a Prometheus query" % name)
        if t.get("label") != name.title():
            self.report(rule, "%s template should be labelled %r, is %r"
                        % (name, name.title(), t.get("label")), severity="warning")
        if not t.get("multi"):
            self.report(rule, "%s template should be a multi select" % name)
        if t.get("allValue") != ".+":
            self.report(rule, "%s template allValue should be '.+', is %r"
                        % (name, t.get("allValue")))

    def label_promql_rule(self):
        for t in self.templates:
            if t.get("type") != "query":
                continue
            query = t.get("query")
            query = query.get("query", "") if isinstance(query, dict) else (query or "")
            m = re.fullmatch(r"\s*([a-z_]+)\((.*)\)\s*", query, re.S)
            problem = None
            if not m or m.group(1) not in ("label_names", "label_values", "metrics",
                                           "query_result"):
                problem = "not label_names(), label_values(), metrics() or query_result()"
            elif m.group(1) in ("label_values", "query_result") and m.group(2).strip():
                arg = m.group(2)
                if m.group(1) == "label_values" and "," in arg:
                    arg = arg.rsplit(",", 1)[0]
                elif m.group(1) == "label_values":
                    arg = None  # label_values(label): no expression
                try:
                    if arg is not None:
                        promql.parse(expand(arg))
                except promql.PromQLError as e:
                    problem = str(e)
            if problem:
                self.report("template-label-promql-rule", "variable %r: invalid query %r: %s"
                            % (t.get("name"), query, problem))

    def panel_rules(self, p):
        ptype, title = p.get("type"), p.get("title", "")
        if ptype not in QUERY_PANELS:
            return
        ds = {"$%s" % t["name"] for t in self.templates if t.get("type") == "datasource"}
        ds |= {"${%s}" % n[1:] for n in ds}
        for where in [p] + list(p.get("targets") or []):
            if "datasource" in where or where is p:
                src = where.get("datasource")
                uid = src.get("uid") if isinstance(src, dict) else src
                if uid not in ds:
                    self.report("panel-datasource-rule", "does not use a templated data source, "
                                "uses %r" % uid, panel=title)
                    break
        if not title or not p.get("description"):
            self.report("panel-title-description-rule", "panel %r has no title or no description"
                        % (title or p.get("id")), panel=title)
        if ptype in UNIT_PANELS:
            fc = p.get("fieldConfig") or {}
            unit = (fc.get("defaults") or {}).get("unit", "")
            for o in fc.get("overrides") or []:
                for prop in o.get("properties") or []:
                    if prop.get("id") == "unit":
                        unit = prop.get("value")
            if unit not in UNITS:
                self.report("panel-units-rule", "has no or an invalid unit: %r" % unit,
                            panel=title)
        if not p.get("targets"):
            self.report("panel-no-targets-rule", "has no targets", panel=title)

    def target_rules(self, title, idx, expr, panel):
        try:
            tree = promql.parse(expand(expr))
        except promql.PromQLError as e:
            self.report("target-promql-rule", "invalid PromQL %r: %s" % (expr, e), title, idx)
            return
        for name in ("job", "instance"):
            for s in promql.selectors(tree):
                if (name, "=~", "$" + name) not in s["matchers"]:
                    self.report("target-%s-rule" % name, "selector %s has no %s=~\"$%s\""
                                % (s["name"] or "{…}", name, name), title, idx)
                    break
        for node, parents in promql.walk(tree):
            if node["type"] == "matrix" and parents and parents[-1]["type"] == "call" \
                    and parents[-1]["name"] in ("rate", "irate") \
                    and node["range"] != TIME_VARIABLES["__rate_interval"]:
                self.report("target-rate-interval-rule", "%s() over [%s]: should use "
                            "$__rate_interval" % (parents[-1]["name"], node["range"]), title, idx)
            if node["type"] == "selector" and (node["name"] or "").endswith("_total"):
                ok = (len(parents) >= 2 and parents[-1]["type"] == "matrix"
                      and parents[-2]["type"] == "call"
                      and parents[-2]["name"] in ("rate", "irate", "increase"))
                if not ok:
                    self.report("target-counter-agg-rule", "counter %s is not aggregated with "
                                "rate, irate or increase" % node["name"], title, idx)


def lint(dashboard, config):
    """The (severity, rule, where, message) findings for `dashboard` under `config`."""
    return Linter(dashboard, config).run()


def main(argv):
    path = argv[1]
    config_path = os.path.join(os.path.dirname(os.path.abspath(path)), ".lint")
    if len(argv) == 4 and argv[2] == "--config":
        config_path = argv[3]
    with open(path, encoding="utf-8") as f:
        dashboard = json.load(f)
    config = {}
    if os.path.exists(config_path):
        with open(config_path, encoding="utf-8") as f:
            config = yaml.safe_load(f) or {}
    errors = 0
    for severity, rule, where, message in lint(dashboard, config):
        place = "".join(" %s %r" % (k, v) for k, v in where.items() if v not in (None, ""))
        print("%s: %s:%s: %s" % (severity, rule, place, message))
        errors += severity == "error"
    print("%s: %d error(s)" % (path, errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
