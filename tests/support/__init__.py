"""Helpers that tests in several folders share, one module per concern.

- `repository`: where this repository is and which files git tracks in it;
- `stack_files`: the real stack files (`Pulumi.<stack>.yaml`) and the settings an evaluation ran with;
- `settings`: the real stacks' settings parsed without running the program, as they are or edited;
- `programs`: the real program evaluated offline with edited settings, and small throwaway programs;
- `resources`: finding recorded resources in an evaluation by type token and name;
- `policy_documents`: the JSON policy documents that resources hold, and their statements;
- `parliament`: parliament's findings for policy documents;
- `workflow_checkers`: check-jsonschema and zizmor as the CLI runs them;
- `shell`: stand-in executables and workflow step scripts run the way GitHub runs them;
- `fake_aws`: one stand-in for the AWS CLI;
- `git`: git in a throwaway repository;
- `ops_cli`: `python -m ops ...` run as a user runs it.

A helper only one folder uses lives in that folder (`tests/<area>/support.py`, `tests/engine/harness.py`).
"""
