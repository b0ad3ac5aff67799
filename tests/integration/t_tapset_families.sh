#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The probe families of the tapsets that t_tapset.sh does not drive, each
# by a workload whose effect is known: process creation/start/release,
# signal delivery, the scheduler's switch/wakeup/migrate/exit, block
# requests and completions of direct writes, packets on lo, TCP state
# changes of a refused connect, kernel allocations, perf.type sampling.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---- kprocess.create / start / release: two children of a shell ----
# The shell forks /bin/true twice, reaps both, then execs sleep (no third
# fork), so each event happens exactly twice for its children.
expect kprocess-create-start-release 0 "2 2 2" \
	-c "sh -c '/bin/true & /bin/true & wait; exec sleep 0.3'" \
	-e 'global kids, c, s, r
	    probe kprocess.create { if (pid() == target()) { kids[new_pid] = 1; c++ } }
	    probe kprocess.start { if (pid() in kids) s++ }
	    probe kprocess.release { if (released_pid in kids) r++ }
	    probe end { printf("%d %d %d\n", c, s, r) }'

# ---- kprocess.exit / process.end: code is the wait(2) status ----
expect kprocess-exit-code 0 "768 1
9 1" -c "sh -c 'sh -c \"exit 3\"; sh -c \"kill -9 \\\$\\\$\"'" \
	-e 'probe kprocess.exit { if (ppid() == target()) printf("%d %d\n", code, group_dead) }'
expect process-end-code 0 "256" -c "sh -c 'exit 1'" \
	-e 'probe process.end { if (pid() == target()) printf("%d\n", code) }'

# ---- signal.deliver: a shell with a USR1 trap signals itself ----
expect signal-deliver-usr1 0 "SIGUSR1 10" \
	-c "sh -c 'trap : USR1; kill -USR1 \$\$'" \
	-e 'probe signal.deliver { if (pid() == target()) printf("%s %d\n", sig_name, sig) }'

# ---- scheduler: a sleep switches out sleeping, is woken, runs, exits ----
# prevtsk_state 1 is TASK_INTERRUPTIBLE (nanosleep).
expect scheduler-sleep 0 "1 1 1 1" -c "sleep 0.1" \
	-e 'global off, on, wk, ex
	    probe scheduler.ctxswitch { if (prev_pid == target() && prevtsk_state == 1) off++ }
	    probe scheduler.cpu_on { if (next_pid == target()) on++ }
	    probe scheduler.wakeup { if (task_pid == target()) wk++ }
	    probe scheduler.process_exit { if (pid == target()) ex++ }
	    probe end { printf("%d %d %d %d\n", off > 0, on > 0, wk > 0, ex) }'

# ---- scheduler.migrate: a shell pinned to CPU 0 re-pins itself to CPU 1
# and moves there when it next wakes (the last migration it sees) ----
expect scheduler-migrate 0 "0 1" \
	-c "taskset -c 0 sh -c 'taskset -p -c 1 \$\$ >/dev/null; exec true'" \
	-e 'global from = -1, to = -1
	    probe scheduler.migrate { if (pid == target()) { from = cpu_from; to = cpu_to } }
	    probe end { printf("%d %d\n", from, to) }'

# ---- ioblock.request / ioblock.end: 64 KiB of direct writes ----
# Requests may merge the command's bios; each request starts at one of
# their sectors, so the sums over those requests are the bytes written.
# devname is compared in the kernel with the device's name from /sys.
dev=$(stat -c '%Hd:%Ld' "$TMPD")
if [ "${dev%%:*}" -ne 0 ]; then
	devname=$(basename "$(readlink -f "/sys/dev/block/$dev")")
	expect ioblock-request-end 0 "65536 65536 0" \
		-c "dd if=/dev/zero of=$TMPD/blk bs=4096 count=16 oflag=direct status=none" \
		-e 'global secs, req, done, errs
		    probe ioblock_trace.request { if (pid() == target() && rw) secs[sector] = 1 }
		    probe ioblock.request { if (rw && sector in secs && devname == "'"$devname"'") req += size }
		    probe ioblock.end { if (rw && sector in secs) { done += bytes_done; errs += error != 0 } }
		    probe end { printf("%d %d %d\n", req, done, errs) }'
else
	echo "SKIP ioblock-request-end: $TMPD is on no block device ($dev)"
fi

# ---- netdev: one UDP datagram of 2 bytes to 127.0.0.1 ----
# On lo: queued with its Ethernet header (2 + 8 + 20 + 14 = 44 bytes),
# received without it (30); the softirq runs in the sender's context.
expect netdev-lo-udp 0 "tx lo 44
rx lo 30" -c "bash -c 'echo x > /dev/udp/127.0.0.1/9'" \
	-e 'global t, r
	    probe netdev.transmit { if (pid() == target() && !t) { t = 1; printf("tx %s %d\n", dev_name, length) } }
	    probe netdev.receive { if (pid() == target() && !r) { r = 1; printf("rx %s %d\n", dev_name, length) } }'

# ---- tcp.set_state: a connect to a closed port is reset ----
expect tcp-refused 0 "TCP_CLOSE -> TCP_SYN_SENT 1
TCP_SYN_SENT -> TCP_CLOSE 1" \
	-c "bash -c 'exec 3<>/dev/tcp/127.0.0.1/1 2>/dev/null' 2>/dev/null" \
	-e 'probe tcp.set_state { if (pid() == target())
		printf("%s -> %s %d\n", oldstate_str, newstate_str, dport) }'

# ---- vm.kmalloc / vm.kfree: the command's allocations are freed ----
expect vm-kmalloc-kfree 0 "1 1" \
	-c "dd if=/etc/hostname of=/dev/null status=none" \
	-e 'global p, m, f
	    probe vm.kmalloc { if (pid() == target()) { p[ptr] = 1; m++ } }
	    probe vm.kfree { if (ptr in p) f++ }
	    probe end { printf("%d %d\n", m > 0, f > 0) }'

# ---- perf.type(1).config(0): software cpu-clock sampling every 1 ms ----
# A one-second busy loop on one CPU gets its ~1000 samples.
expect perf-type-config-sample 0 "1" \
	-c 'timeout 1 sh -c "while :; do :; done"' \
	-e 'global s
	    probe perf.type(1).config(0).sample(1000000) { if (execname() == "sh") s++ }
	    probe end { printf("%d\n", s >= 500) }'

# ---- vfs.open: the absolute path (across mounts), device and inode of
# the opened file, for a file here and one under /proc ----
f=$(readlink -f "$TMPD")/opened
echo x >"$f"
fdev=$(stat -c '%Hd:%Ld' "$f")
fname=N/A
[ "${fdev%%:*}" -ne 0 ] && fname=$(basename "$(readlink -f "/sys/dev/block/$fdev")")
expect vfs-open-path-dev-ino 0 "$f $fname $(stat -c %i "$f")
/proc/PID/status N/A" -c "sh -c 'exec 3<$f; exec 4</proc/self/status'" \
	-e 'probe vfs.open { if (pid() != target()) next
		if (pathname == "'"$f"'") printf("%s %s %d\n", pathname, devname, ino)
		if (pathname == sprintf("/proc/%d/status", pid())) printf("/proc/PID/status %s\n", devname) }'

# ---- $$parms / $$vars / $$return: name=0x... for numbers, name="..." for
# strings; "" where a probe has none ----
expect dollars-vars 0 "return=0x0|
1 comm=\"sleep\"" -c "sleep 0.05" \
	-e 'probe syscall.clock_nanosleep.return { if (pid() == target()) printf("%s|%s\n", $$return, $$vars) }
	    probe kernel.trace("sched:sched_process_exit") { if (pid() == target())
		printf("%d %s\n", $$parms == sprintf("comm=\"sleep\" pid=0x%x prio=0x%x group_dead=0x1",
					      pid(), $prio), $$parms =~ "^comm=\"[a-z]*\"" ? matched(0) : "") }'

# ---- stap's names for syscall arguments where they differ from the
# kernel's: oldpath/newpath (oldname/newname), sockfd, start/length ----
expect syscall-stap-names 0 "/nonexist/a /nonexist/b /nonexist/a" \
	-c "perl -e 'rename(q{/nonexist/a}, q{/nonexist/b})'" \
	-e 'probe syscall.rename { if (pid() == target()) printf("%s %s %s\n", oldpath, newpath, oldname) }'
expect syscall-stap-names-net-mm 0 "1 1" \
	-c "perl -e 'use Socket; socket(my \$s, PF_INET, SOCK_STREAM, 0); connect(\$s, pack_sockaddr_in(1, inet_aton(q{127.0.0.1})))'" \
	-e 'global c, m
	    probe syscall.connect { if (pid() == target()) c = sockfd == fd && serv_addr_uaddr == uservaddr }
	    probe syscall.munmap { if (pid() == target()) m = start == addr && length == len && length > 0 }
	    probe end { printf("%d %d\n", c, m) }'

# ---- user_string_quoted: C escapes for a name with a tab and a \001 ----
expect user-string-quoted-escapes 0 '"/nonexist/a\tb\001"' \
	-c "perl -e 'open(F, qq{/nonexist/a\\tb\\x01})'" \
	-e 'probe syscall.openat { if (pid() == target() && filename =~ "^/nonexist")
		println(user_string_quoted(filename_uaddr)) }'

# ---- tz_ctime / tz_gmtoff / tz_name: the zone etap starts in (a POSIX TZ
# two hours east of UTC), in both contexts ----
TZ=XYZ-2 expect tz-ctime-both-contexts 0 "Thu Jan  1 02:00:00 1970 XYZ -7200 XYZ
Thu Jan  1 02:00:00 1970 XYZ" -c "/bin/true" \
	-e 'probe begin { printf("%s %d %s\n", tz_ctime(0), tz_gmtoff(), tz_name()) }
	    probe kprocess.exec_complete { if (pid() == target()) println(tz_ctime(0)) }'

wait_no_etap_progs || fail "nothing left loaded" "$(bpftool prog list | grep ' name etap_')"
