"""Runs a program under the seccomp filter systemd installs for MemoryDenyWriteExecute=yes, then execs it.

usage: /usr/bin/python3 memory-deny-write-execute.py PROGRAM [ARGS...]

The rules follow systemd's seccomp_memory_deny_write_execute() (src/shared/seccomp-util.c): no mapping that is
writable and executable at once, no mprotect()/pkey_mprotect() that makes memory executable, no executable shmat().
Blocked calls fail with EPERM, as under systemd. Needs Debian's python3-seccomp (libseccomp bindings).
"""
import errno
import os
import sys

import seccomp

PROT_WRITE, PROT_EXEC, SHM_EXEC = 0x2, 0x4, 0o100000

rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
deny = seccomp.ERRNO(errno.EPERM)
rules.add_rule(deny, "mmap", seccomp.Arg(2, seccomp.MASKED_EQ, PROT_WRITE | PROT_EXEC, PROT_WRITE | PROT_EXEC))
rules.add_rule(deny, "mprotect", seccomp.Arg(2, seccomp.MASKED_EQ, PROT_EXEC, PROT_EXEC))
rules.add_rule(deny, "pkey_mprotect", seccomp.Arg(2, seccomp.MASKED_EQ, PROT_EXEC, PROT_EXEC))
rules.add_rule(deny, "shmat", seccomp.Arg(2, seccomp.MASKED_EQ, SHM_EXEC, SHM_EXEC))
rules.load()
os.execvp(sys.argv[1], sys.argv[1:])
