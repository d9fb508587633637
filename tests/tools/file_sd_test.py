#!/usr/bin/python3
"""scripts/proxywatch-file-sd: from a CSV inventory to one file_sd file per site with the
appliance, site, region and proxy_expected labels; bad rows named by line, nothing written then;
a rerun replaces the files and drops a site that left the inventory; and the scrape
configuration of docs/fleet.md section 2, pointed at the generated files, passes
`promtool check config` (which also checks the file_sd files).
Usage: file_sd_test.py [SOURCE_DIR] (default: the checkout this file is in)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 else os.path.join(HERE, "..", ".."))
SCRIPT = os.path.join(SOURCE, "scripts", "proxywatch-file-sd")

INVENTORY = """\
appliance,address,port,site,region,proxy_expected,owner
fmc-berlin-1,192.0.2.10,,berlin,emea,true,net-team
fmc-berlin-2,fmc-berlin-2.example.net,39556,berlin,emea,yes,net-team

fmc-austin-1,2001:db8::1,,austin,amer,false,us-ops
"""


class FileSdTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="proxywatch-file-sd-")
        self.out = os.path.join(self.dir, "proxywatch.d")
        os.mkdir(self.out)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_script(self, text, *extra):
        path = os.path.join(self.dir, "inventory.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        args = [SCRIPT, "--check", path] if "--check" in extra else [SCRIPT, path, self.out]
        return subprocess.run(args, capture_output=True, text=True)

    def site(self, name):
        with open(os.path.join(self.out, "site-%s.yml" % name), encoding="utf-8") as f:
            return yaml.safe_load(f)

    def test_one_file_per_site_with_the_labels(self):
        run = self.run_script(INVENTORY)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(sorted(os.listdir(self.out)), ["site-austin.yml", "site-berlin.yml"])
        self.assertEqual(self.site("berlin"), [
            {"targets": ["192.0.2.10:39555"],
             "labels": {"appliance": "fmc-berlin-1", "site": "berlin", "region": "emea",
                        "proxy_expected": "true"}},
            {"targets": ["fmc-berlin-2.example.net:39556"],
             "labels": {"appliance": "fmc-berlin-2", "site": "berlin", "region": "emea",
                        "proxy_expected": "true"}}])
        self.assertEqual(self.site("austin"), [
            {"targets": ["[2001:db8::1]:39555"],
             "labels": {"appliance": "fmc-austin-1", "site": "austin", "region": "amer",
                        "proxy_expected": "false"}}])

    def test_rerun_replaces_files_and_drops_a_site_gone(self):
        self.assertEqual(self.run_script(INVENTORY).returncode, 0)
        foreign = os.path.join(self.out, "site-manual.yml")
        with open(foreign, "w", encoding="utf-8") as f:
            f.write("- targets: ['192.0.2.99:39555']\n")
        without_austin = "".join(l for l in INVENTORY.splitlines(True) if "austin" not in l)
        run = self.run_script(without_austin)
        self.assertEqual(run.returncode, 0, run.stderr)
        # The file this tool wrote is gone; one it did not write stays; no temporary is left.
        self.assertEqual(sorted(os.listdir(self.out)), ["site-berlin.yml", "site-manual.yml"])
        self.assertEqual(len(self.site("berlin")), 2)

    def test_bad_rows_are_named_by_line_and_nothing_is_written(self):
        bad = INVENTORY + (
            "fmc-berlin-1,192.0.2.11,,berlin,emea,true,x\n"      # line 6: duplicate name
            "fmc-x,192.0.2.12,70000,berlin,emea,true,x\n"        # line 7: port out of range
            "fmc-y,192.0.2.13,https,berlin,emea,true,x\n"        # line 8: port not a number
            "fmc-z,192.0.2.14,,berlin,emea,maybe,x\n"            # line 9: proxy_expected
            "fmc-w,not a host,,berlin,emea,true,x\n"             # line 10: address
            "fmc-v,192.0.2.15,,,emea,true,x\n"                   # line 11: empty site
            "fmc-u,192.0.2.16,,berlin\n"                         # line 12: too few fields
            "fmc-t,192.0.2.10,39555,berlin,emea,true,x\n")       # line 13: address taken
        run = self.run_script(bad)
        self.assertEqual(run.returncode, 1)
        lines = {int(m.group(1)): m.group(2)
                 for m in re.finditer(r"inventory\.csv:(\d+): (.*)", run.stderr)}
        self.assertEqual(sorted(lines), [6, 7, 8, 9, 10, 11, 12, 13], run.stderr)
        self.assertIn("duplicate appliance 'fmc-berlin-1' (first on line 2)", lines[6])
        self.assertIn("port '70000'", lines[7])
        self.assertIn("port 'https'", lines[8])
        self.assertIn("proxy_expected 'maybe'", lines[9])
        self.assertIn("address 'not a host'", lines[10])
        self.assertIn("empty site", lines[11])
        self.assertIn("4 fields, the header has 7", lines[12])
        self.assertIn("already appliance 'fmc-berlin-1'", lines[13])
        self.assertIn("nothing written", run.stderr)
        self.assertEqual(os.listdir(self.out), [])

    def test_header_without_a_required_column(self):
        run = self.run_script("appliance,address,site,region\nfmc-1,192.0.2.1,b,e\n")
        self.assertEqual(run.returncode, 1)
        self.assertIn("inventory.csv:1: header has no column proxy_expected", run.stderr)

    def test_check_writes_nothing(self):
        run = self.run_script(INVENTORY, "--check")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("3 appliances", run.stdout)
        self.assertEqual(os.listdir(self.out), [])

    @unittest.skipUnless(shutil.which("promtool"), "promtool not installed")
    def test_fleet_md_scrape_config_passes_promtool_on_the_files(self):
        self.assertEqual(self.run_script(INVENTORY).returncode, 0)
        with open(os.path.join(SOURCE, "docs", "fleet.md"), encoding="utf-8") as f:
            doc = f.read()
        block = re.search(r"```yaml\n(# prometheus\.yml\n.*?)```", doc, re.S)
        self.assertIsNotNone(block, "docs/fleet.md has no ```yaml block starting # prometheus.yml")
        config = block.group(1)
        # Its absolute paths, moved into the test's directory (TLS and password files exist
        # there; the rule files are the source tree's).
        config = config.replace("/etc/prometheus/proxywatch.d/", self.out + "/")
        config = config.replace("/usr/share/proxywatch/prometheus/",
                                os.path.join(SOURCE, "packaging", "prometheus") + "/")
        for name in re.findall(r"/etc/prometheus/([\w.-]+)", config):
            open(os.path.join(self.dir, name), "w").close()
        config = config.replace("/etc/prometheus/", self.dir + "/")
        path = os.path.join(self.dir, "prometheus.yml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(config)
        run = subprocess.run(["promtool", "check", "config", path], capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr + config)
        parsed = yaml.safe_load(config)
        job = next(j for j in parsed["scrape_configs"] if j["job_name"] == "proxywatch")
        self.assertEqual(job["scrape_interval"], "15s")
        self.assertIn("sample_limit", job)
        self.assertNotIn("scrape_interval", parsed.get("global") or {})


if __name__ == "__main__":
    unittest.main(verbosity=2)
