"""Peak memory of this process, read so that it does not inherit the parent's figure."""


def peak_rss_mb() -> float:
    """VmHWM: the high-water mark of resident memory of this process image (reset by exec,
    unlike getrusage's ru_maxrss, which a child inherits from the process that started it)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmHWM in /proc/self/status")
