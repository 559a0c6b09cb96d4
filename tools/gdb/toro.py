# toro.py: gdb helpers for Toro's kernel threads, in the simulator and in
# the native image (through QEMU's gdb stub).
#
#   gdb -q -x tools/gdb/toro.py --args out/sim/ticker --cpus 2 -- 30
#   (gdb) toro threads      every kernel thread on every CPU, its state
#                           and what it waits for; * marks the running ones
#   (gdb) toro bt N         the backtrace of thread N (its ID in the list)
#                           from its saved context, if it is not running
#
# `./toro run EXAMPLE --gdb` loads this file for you.  Nothing here calls
# into the program: it only reads memory, so it works on a stopped QEMU
# too.  Struct layouts come from the debug information (the sim and the
# native image share core/sched/sched.h); only the frame that
# hal/x86_64/switch.S pushes is spelled out here, since it is assembly:
# at ctx.sp, a word of control registers, r15, r14, r13, r12, rbx, rbp,
# then the return address.

import struct

import gdb

# The simulator's CPUs are pthreads; SIGUSR1 is its watchdog's signal
# (hal/sim/watchdog.c) and a closed socket's SIGPIPE is handled (ignored)
# by the program.  Neither should stop a debugging session.
for _sig in ("SIGUSR1", "SIGPIPE"):
    gdb.execute("handle %s nostop noprint pass" % _sig, to_string=True)

# The words hal_x86_switch leaves at a saved stack pointer.
SWITCH_RBP = 6
SWITCH_RET = 7
SWITCH_R12 = 4


def _u64(addr):
    return struct.unpack("<Q", bytes(gdb.selected_inferior().read_memory(addr, 8)))[0]


def _offsetof(type_name, field):
    for f in gdb.lookup_type(type_name).fields():
        if f.name == field:
            return f.bitpos // 8
    raise gdb.GdbError("%s has no field %s" % (type_name, field))


def _string(v):
    if int(v) == 0:
        return ""
    try:
        return v.string()
    except gdb.error:
        return "?"


def _ncpus():
    """How many CPUs the machine has, from the platform's own count."""
    for expr in ("hal_ncpus", "sim_config.cpus"):
        try:
            return int(gdb.parse_and_eval(expr))
        except gdb.error:
            pass
    cpus = gdb.parse_and_eval("sched_cpus")
    n = 0
    while n <= cpus.type.range()[1] and int(cpus[n]["threads"]["next"]) != 0:
        n += 1
    return n


def _cpus():
    """(index, struct sched_cpu) of every CPU whose scheduler is set up."""
    try:
        cpus = gdb.parse_and_eval("sched_cpus")
    except gdb.error:
        raise gdb.GdbError("no symbol sched_cpus: is this a Toro program?")
    out = []
    for i in range(_ncpus()):
        # sched_init() has not run yet: the list heads are still zero.
        if int(cpus[i]["threads"]["next"]) != 0:
            out.append((i, cpus[i]))
    return out


def _threads(cpu):
    """Every struct toro_thread * on a CPU's `threads` list."""
    tptr = gdb.lookup_type("struct toro_thread").pointer()
    off = _offsetof("struct toro_thread", "all")
    head = cpu["threads"].address
    node = cpu["threads"]["next"]
    seen = 0
    while int(node) != int(head):
        yield (node.cast(gdb.lookup_type("char").pointer()) - off).cast(tptr)
        node = node["next"]
        seen += 1
        if seen > 1000000:
            raise gdb.GdbError("CPU %d: its thread list does not end" % int(cpu["id"]))


def _state(cpu, t):
    running = int(cpu["cur"]) == int(t)
    if running:
        return "RUNNING", running
    state = str(t["state"]).replace("THREAD_", "")
    # The idle thread keeps RUNNING while others run: it is ready.
    if bool(t["idle"]):
        state = "READY"
    return state, running


def _waits(cpu, t, running):
    if running:
        if bool(t["idle"]) and int(cpu["idling"]) != 0:
            return "(halted: nothing to run)"
        return ""
    if bool(t["idle"]):
        return "(runs when nothing else is ready)"
    what = _string(t["wait_reason"])
    tl = t["tlink"]
    if str(t["state"]) == "THREAD_BLOCKED" and int(tl["next"]) != int(tl.address):
        ns = int(t["deadline"])
        what += "%suntil %d.%03d s" % (", " if what else "", ns // 10**9, ns // 10**6 % 1000)
    return what


def _find(tid):
    for i, cpu in _cpus():
        for t in _threads(cpu):
            if int(t["id"]) == tid:
                return i, cpu, t
    raise gdb.GdbError("no kernel thread with ID %d (see `toro threads`)" % tid)


def _describe(pc, caller):
    """'in f (inlined in g) at file:line' for an address, like bt."""
    look = pc - 1 if caller else pc
    names = []
    try:
        block = gdb.block_for_pc(look)
    except RuntimeError:
        block = None
    while block is not None and not block.is_global and not block.is_static:
        if block.function is not None:
            names.append(block.function.print_name)
        block = block.superblock
    where = ""
    sal = gdb.find_pc_line(look)
    if sal.symtab is not None:
        where = " at %s:%d" % (sal.symtab.filename, sal.line)
    if names:
        text = names[0]
        if len(names) > 1:
            text += " (inlined in %s)" % ", ".join(names[1:])
        return "in %s%s" % (text, where)
    sym = gdb.execute("info symbol %#x" % look, to_string=True).strip()
    if sym.startswith("No symbol"):
        return "in ??"
    return "in %s" % sym.split(" in section ")[0]


def _cpu_thread(cpu_index):
    """The gdb thread number that runs CPU cpu_index, or None."""
    inferior = gdb.selected_inferior()
    orig = gdb.selected_thread()
    found = None
    try:
        for th in inferior.threads():
            th.switch()
            for expr in ("sim_cpu_self", "*(int *)($gs_base + 8)"):
                try:
                    if int(gdb.parse_and_eval(expr)) == cpu_index:
                        found = th.num
                    break
                except gdb.error:
                    continue
            if found is not None:
                break
    finally:
        if orig is not None:
            orig.switch()
    return found


class Toro(gdb.Command):
    """Toro kernel helpers: toro threads, toro bt N."""

    def __init__(self):
        super().__init__("toro", gdb.COMMAND_USER, gdb.COMPLETE_COMMAND, True)


class ToroThreads(gdb.Command):
    """List every kernel thread on every CPU.

Columns: the CPU, the thread's ID (for `toro bt`), name, state, and what a
blocked thread waits for (with its deadline in machine time, when it has
one).  A * marks the thread each CPU is running now."""

    def __init__(self):
        super().__init__("toro threads", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        cpus = _cpus()
        if not cpus:
            print("no CPU is scheduling yet")
            return
        print("  %-4s %-8s %-16s %-8s %s" % ("CPU", "ID", "NAME", "STATE", "WAITS FOR"))
        for i, cpu in cpus:
            for t in _threads(cpu):
                state, running = _state(cpu, t)
                print("%s %-4d %-8d %-16s %-8s %s" % (
                    "*" if running else " ", i, int(t["id"]),
                    _string(t["name"].address.cast(gdb.lookup_type("char").pointer())),
                    state, _waits(cpu, t, running)))


class ToroBt(gdb.Command):
    """Print the backtrace of kernel thread N (an ID from `toro threads`).

It follows the frame pointers from the context the thread saved when it
last switched out, so it works only for a thread that is not running;
for a running one, select the gdb thread of its CPU and use `bt`."""

    def __init__(self):
        super().__init__("toro bt", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        try:
            tid = int(gdb.parse_and_eval(arg)) if arg.strip() else None
        except gdb.error as e:
            raise gdb.GdbError("toro bt: %s" % e)
        if tid is None:
            raise gdb.GdbError("usage: toro bt N   (N: a thread ID from `toro threads`)")
        i, cpu, t = _find(tid)
        name = _string(t["name"].address.cast(gdb.lookup_type("char").pointer()))
        print('thread %d "%s" on CPU %d' % (tid, name, i))
        if int(cpu["cur"]) == int(t):
            num = _cpu_thread(i)
            how = "`thread %d`, then `bt`" % num if num is not None else \
                "select the gdb thread of CPU %d (`info threads`), then `bt`" % i
            print("it is running: its registers are live, not saved; %s" % how)
            return
        if str(t["state"]) == "THREAD_ZOMBIE":
            print("it has exited; its stack is gone")
            return
        sp = int(t["ctx"]["sp"])
        if sp == 0:
            print("it has never switched out: no saved context")
            return
        pc = _u64(sp + 8 * SWITCH_RET)
        fp = _u64(sp + 8 * SWITCH_RBP)
        try:
            start = int(gdb.parse_and_eval("(unsigned long)&hal_x86_start"))
        except gdb.error:
            start = None
        if pc == start:
            entry = _u64(sp + 8 * SWITCH_R12)
            print("it has not run yet; it will start %s" % _describe(entry, False))
            return
        lo, size = int(t["stack"]), int(t["stack_size"])
        if lo == 0:  # an idle thread: the stack its CPU booted on
            lo, size = int(t["ctx"]["stack"]), int(t["ctx"]["stack_size"])
        hi = lo + size if lo != 0 else 2**64
        frames = [pc]
        while len(frames) < 64:
            if fp == 0 or fp % 8 != 0 or fp < lo or fp + 16 > hi:
                break
            ret = _u64(fp + 8)
            if ret == 0:
                break
            frames.append(ret)
            nfp = _u64(fp)
            if nfp <= fp:
                break
            fp = nfp
        for n, addr in enumerate(frames):
            print("#%-2d 0x%016x %s" % (n, addr, _describe(addr, True)))


Toro()
ToroThreads()
ToroBt()
