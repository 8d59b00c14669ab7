"""The load bench's printout: sessions, drops, exceptions, times (p50/p95/max), memory and CPU by role."""
import os


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))] if xs else float("nan")


def row(name, xs, note=""):
    return (f"  {name:<22} n={len(xs):>3}  p50 {pct(xs, 50):6.2f} s  p95 {pct(xs, 95):6.2f} s  "
            f"max {max(xs) if xs else float('nan'):6.2f} s{note}")


def summary(results, sessions):
    """The numbers the goal is judged on, from every session's record."""
    return dict(
        opened=sum(r["opened"] for r in results), dropped=[r for r in results if r["dropped"]],
        cut=sessions - len(results),
        exceptions=[(r["page"], *e) for r in results for e in r["exceptions"]],
        loads=[r["first_load"] for r in results if r["first_load"] is not None],
        moves=[m for r in results for m in r["moves"]],
        answered=[t for r in results for t in r["train_answered"]],
        finished=[t for r in results for t in r["train_finished"]],
        unfinished=sum(r["train_unfinished"] for r in results),
        replicas=sorted({s for r in results for s in r["served_by"] if s}),
        moved_replica=sum(len({s for s in r["served_by"] if s}) > 1 for r in results),
        changed=sum(r["changed"] for r in results),
        move_log=sorted((m for r in results for m in r["move_log"]), key=lambda m: -m[1]))


def report(s, args, where, wall, memory, goal, cpu=None):
    print(f"BPTT Lens load bench: {args.sessions} sessions at once on {where}, {args.moves} interactions "
          f"each, {args.pause:g} s apart ({wall:.0f} s)")
    print(f"sessions opened {s['opened']}/{args.sessions}, dropped {len(s['dropped'])}, still waiting for "
          f"an answer when --deadline ended the class: {s['cut']}")
    for r in s["dropped"]:
        print(f"  dropped: {r['page']}: {r['dropped']}")
    print(f"exceptions on the page: {len(s['exceptions'])}")
    for page, when, typ, message in s["exceptions"][:10]:
        print(f"  {page} at {when}: {typ}: {message}")
    if s["replicas"]:
        print(f"replicas that served: {', '.join(s['replicas'])}; sessions that changed replica: "
              f"{s['moved_replica']}")
    print("times (from sending to the page's script_finished):")
    print(row("first load", s["loads"], "   (every session at once)"))
    print(row("slider move", s["moves"], f"   ({s['changed']} moves and presses changed the charts)"))
    for at, took, what in s["move_log"][:5]:
        print(f"      slowest: {took:5.2f} s, sent {at:5.1f} s after the class opened ({what})")
    print(row("Train -> page answered", s["answered"]))
    print(row("Train -> run finished", s["finished"],
              f"   ({s['unfinished']} still running past --timeout)" if s["unfinished"] else ""))
    print("memory (RSS, MB; peak during the run, now at the end):")
    for name, (n, top, total, now) in sorted(memory.items()):
        print(f"  {name:<18} x{n:<2} largest peak {top:6.0f}   all peaks {total:6.0f}   now {now:6.0f}")
    if cpu:
        parts = ", ".join(f"{name} {sec:.1f}" for name, sec in sorted(cpu.items()))
        print(f"CPU seconds used during the class ({wall:.0f} s wall x {os.cpu_count()} cores = "
              f"{wall * os.cpu_count():.0f} available): {parts}")
    print(f"goal (none dropped, no exceptions, p95 of every interaction <= {args.goal:g} s): "
          f"{'MET' if goal else 'NOT MET'}")
