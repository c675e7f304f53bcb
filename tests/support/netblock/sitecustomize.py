"""Blocks every outbound connection except loopback, for any Python process started with
this folder on PYTHONPATH (the "no network in offline mode" tests put it there).

Python imports `sitecustomize` at start-up, so subprocesses (the CLI, `streamlit run`)
get the same guard as the test process itself. Attempts are appended to the file named
by OKR_NETBLOCK_LOG so a test can assert that nothing even tried.
"""

from support_netguard import install

install()
