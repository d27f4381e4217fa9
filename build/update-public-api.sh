#!/usr/bin/env bash
# Adds every public symbol that PublicApiAnalyzers reports as undeclared (RS0016) to the project's
# PublicAPI.Unshipped.txt, and removes the ones it reports as gone (RS0017). Review the diff before committing:
# a change to the public surface is a decision, not a side effect.
# Usage: build/update-public-api.sh src/Traceline
set -euo pipefail
project_dir="${1:?usage: build/update-public-api.sh <src/Project>}"
log="$(mktemp)"
dotnet build "$project_dir" --no-incremental -p:TreatWarningsAsErrors=false 2>&1 > "$log" || true
python3 - "$project_dir" "$log" <<'PY'
import re, sys, pathlib
project, log = pathlib.Path(sys.argv[1]), sys.argv[2]
text = open(log, encoding='utf-8').read()
add = set(re.findall(r"RS0016: Symbol '(.+?)' is not part of the declared public API", text))
remove = set(re.findall(r"RS0017: Symbol '(.+?)' is part of the declared API, but is either not public or could not be found", text))
path = project / 'PublicAPI.Unshipped.txt'
lines = [l for l in path.read_text(encoding='utf-8').splitlines() if l.strip()]
header = [l for l in lines if l.startswith('#')]
body = sorted((set(l for l in lines if not l.startswith('#')) | add) - remove)
path.write_text('\n'.join((header or ['#nullable enable']) + body) + '\n', encoding='utf-8')
print(f"{path}: +{len(add)} -{len(remove)}")
PY
