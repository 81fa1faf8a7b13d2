"""The simulated libcuda's exit report of a program with more launches than GPUSIM_LAUNCH_RECORDS
keeps whole (runtime/folded_launches.h), without libcudart: the program (tests/cudadrv/programs/
vecadd_driver.cpp) repeats one launch; the statistics file must hold the kept launches whole and
the rest as one folded object whose sums are the kept launch's figures times their count (every
launch is the same), and the summary on stderr must count every launch."""
import json
import os
import subprocess
import sys
import tempfile

program, libdir = sys.argv[1], sys.argv[2]
launches, kept = 7, 2
with tempfile.TemporaryDirectory() as tmp:
    stats_path = os.path.join(tmp, "stats.json")
    env = dict(os.environ, LD_LIBRARY_PATH=libdir, GPUSIM_LAUNCH_RECORDS=str(kept), GPUSIM_STATS=stats_path)
    run = subprocess.run([program, str(launches)], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "PASS" in run.stdout, run.stdout
    assert f"gpusim libcuda: {launches} launches" in run.stderr, run.stderr
    with open(stats_path) as f:
        stats = json.load(f)
whole = [o for o in stats if not o.get("folded")]
folded = [o for o in stats if o.get("folded")]
assert len(whole) == kept, stats
assert len(folded) == 1, stats
k = folded[0]
assert k["launches"] == launches - kept, k
assert k["first_launch"] == kept + 1, k
assert k["kernel"] == "scale_add", k
assert k["grid"] == [12, 1, 1] and k["block"] == [256, 1, 1], k
for field in ("warp_instructions", "thread_instructions", "ctas"):
    assert whole[0][field] > 0, whole[0]
    assert k[field] == whole[0][field] * (launches - kept), (field, k, whole[0])
print("folded launches: OK")
