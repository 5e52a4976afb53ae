"""The sarhad command line: init, user, journal, version, usage errors."""
import json
import os
import stat
import subprocess
import unittest

from harness import EVENT, NodeTest, run


class CliTest(NodeTest):
    def test_init_creates_a_node_directory(self):
        n = self.node()
        self.assertTrue(n.token.startswith("sht_"))
        key = os.stat(os.path.join(n.dir, "node.key"))
        self.assertEqual(stat.S_IMODE(key.st_mode), 0o600)
        cert = open(os.path.join(n.dir, "cert.pem")).read()
        self.assertIn("BEGIN CERTIFICATE", cert)
        conf = open(os.path.join(n.dir, "sarhad.conf")).read()
        self.assertIn("name = PK-SOUTH", conf)
        self.assertIn(f"listen = 127.0.0.1:{n.port}", conf)
        # the token itself is stored nowhere, only its hash
        for name in os.listdir(n.dir):
            data = open(os.path.join(n.dir, name), "rb").read()
            self.assertNotIn(n.token.encode(), data, name)

    def test_init_refuses_an_initialised_directory(self):
        n = self.node()
        before = open(os.path.join(n.dir, "node.key")).read()
        p = run("init", "--dir", n.dir, "--node", "OTHER", "--country", "IRN", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("already holds a node", p.stderr)
        self.assertEqual(open(os.path.join(n.dir, "node.key")).read(), before)

    def test_usage_errors_exit_2_with_a_message(self):
        for args, words in [
            ((), "usage"),
            (("frobnicate",), "unknown command"),
            (("init", "--dir", self.root + "/x", "--node", "A"), "--country is required"),
            (("init", "--dir", self.root + "/x", "--node", "A", "--country", "pk"),
             "ISO 3166-1"),
            (("init", "--bogus"), "unknown option"),
            (("serve",), "--dir is required"),
            (("user", "add", "--dir", self.root, "--name", "a", "--role", "king"), "--role"),
            (("user",), "add, list or revoke"),
            (("journal", "--dir", self.root, "--since", "-3"), "--since"),
        ]:
            with self.subTest(args=args):
                p = run(*args, check=False)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(words, p.stderr)

    def test_every_command_has_help(self):
        for cmd in ("init", "serve", "user", "journal", "version", "cert", "peer", "send",
                    "inbox", "ack", "audit"):
            with self.subTest(cmd=cmd):
                p = run(cmd, "--help")
                self.assertIn("usage: sarhad " + cmd, p.stdout)
        self.assertIn("commands:", run("--help").stdout)

    def test_version(self):
        self.assertRegex(run("version").stdout, r"^sarhad \d+\.\d+\.\d+")

    def test_serve_reports_a_bad_config_clearly(self):
        n = self.node()
        n.set_conf({("http", "max_conns"): "many"})
        p = run("serve", "--dir", n.dir, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("max_conns", p.stderr)
        p = run("serve", "--dir", self.root + "/nowhere", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("sarhad init", p.stderr)

    def test_users_add_list_revoke(self):
        n = self.node()
        tok = n.add_user("cdr.taftan", "commander")
        self.assertTrue(tok.startswith("sht_") and tok != n.token)
        p = run("user", "add", "--dir", n.dir, "--name", "cdr.taftan", "--role", "analyst",
                check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("already exists", p.stderr)
        listing = run("user", "list", "--dir", n.dir).stdout
        self.assertRegex(listing, r"cdr\.taftan\s+commander")
        run("user", "revoke", "--dir", n.dir, "--name", "cdr.taftan")
        listing = run("user", "list", "--dir", n.dir).stdout
        self.assertNotRegex(listing, r"cdr\.taftan\s+commander\s+\S+\s+-")
        p = run("user", "revoke", "--dir", n.dir, "--name", "cdr.taftan", check=False)
        self.assertEqual(p.returncode, 1)

    def test_journal_lines_and_chain(self):
        n = self.node()
        n.start()
        n.request("POST", "/api/v1/events", dict(EVENT, release=["IRN"]))
        entries = n.journal()
        self.assertEqual([e["seq"] for e in entries], list(range(1, len(entries) + 1)))
        last = entries[-1]
        self.assertEqual(last["kind"], "event.create")
        self.assertEqual(last["origin"], "PK-SOUTH")
        self.assertEqual(last["origin_seq"], last["seq"])
        self.assertEqual(last["release"], ["IRN"])
        self.assertEqual(last["prev_hash"], entries[-2]["hash"])
        self.assertEqual(last["payload"]["category"], "SMUGGLING")
        tail = n.journal(since=last["seq"] - 1)
        self.assertEqual(len(tail), 1)
        self.assertIn("journal intact", run("journal", "--dir", n.dir, "--verify").stdout)


if __name__ == "__main__":
    unittest.main()
