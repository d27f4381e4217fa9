#!/usr/bin/env python3
"""Packs the Traceline packages and uses them as a stranger would.

1. `dotnet pack` of the solution into a temporary folder, with no warning allowed.
2. Each .nupkg: a license expression, a readme, the repository commit, the XML docs beside each dll,
   and a .snupkg with the pdb beside it.
3. A fresh web app in another temporary folder restores Traceline.AspNetCore BY VERSION from that folder
   (nuget.config: the folder plus nuget.org; a cache folder of its own, so a stale package never hides a
   failure), builds with warnings as errors, runs on 127.0.0.1, serves a request that calls itself through
   a traced HttpClient, and must print one whole trace (server -> client -> server) on stdout.

4. The `traceline` tool installs from that folder (`dotnet tool install --tool-path`, a cache of its own) and
   `traceline view` reads two Go services' recorded logs: one whole trace, exit code 0; a split log: exit code 1.

Prints one line per check and ends with "package-check: N passed, N failed" (.ci/run adds these to its totals).
Exit code 0 only when every check passed.
"""
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import xml.etree.ElementTree as ET
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
PACKAGES = ['Traceline', 'Traceline.Http', 'Traceline.AspNetCore', 'Traceline.Testing']
results = []


def check(name, ok, detail=''):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'} {name}" + (f": {detail}" if detail and not ok else ''), flush=True)
    return ok


def version():
    props = ET.parse(os.path.join(ROOT, 'Directory.Build.props')).getroot()
    return next(e.text for e in props.iter('Version'))


def git_head():
    try:
        return subprocess.run(['git', '-C', ROOT, 'rev-parse', 'HEAD'], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def pack(feed):
    env = dict(os.environ, CI='true')  # ContinuousIntegrationBuild: deterministic paths, as a release build would be
    run = subprocess.run(['dotnet', 'pack', os.path.join(ROOT, 'Middleware.sln'), '-c', 'Release', '-o', feed,
                          '-p:TreatWarningsAsErrors=true', '-clp:NoSummary'], capture_output=True, text=True, env=env)
    warnings = sorted({line.strip() for line in run.stdout.splitlines() if re.search(r'\bwarning\b', line)})
    check('dotnet pack succeeds', run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:])
    check('dotnet pack gives no warnings', not warnings, '\n'.join(warnings[:20]))


def inspect(feed, ver, commit):
    found = sorted(os.path.basename(p)[:-len(f'.{ver}.nupkg')] for p in glob.glob(os.path.join(feed, f'*.{ver}.nupkg')))
    check('the four library packages are packed', all(p in found for p in PACKAGES), found)
    for package in found:  # every packable project, so a new one (a tool) is checked without editing this list
        nupkg = os.path.join(feed, f'{package}.{ver}.nupkg')
        snupkg = os.path.join(feed, f'{package}.{ver}.snupkg')
        with zipfile.ZipFile(nupkg) as z:
            names = z.namelist()
            nuspec = ET.fromstring(z.read(f'{package}.nuspec'))
            meta = {e.tag.split('}')[1]: e for e in nuspec.find('{*}metadata')}
            license = meta.get('license')
            check(f'{package}: license expression', license is not None and license.get('type') == 'expression'
                  and license.text == 'Apache-2.0', ET.tostring(nuspec, encoding='unicode')[:500])
            readme = meta.get('readme')
            check(f'{package}: readme in the package', readme is not None and readme.text in names
                  and b'github.com/traceline/traceline' in z.read(readme.text))
            for field in ('description', 'tags', 'projectUrl'):
                check(f'{package}: {field}', field in meta and bool((meta[field].text or '').strip()))
            repo = meta.get('repository')
            check(f'{package}: repository url and commit', repo is not None
                  and repo.get('url') == 'https://github.com/traceline/traceline'
                  and (commit is None or repo.get('commit') == commit), repo.attrib if repo is not None else 'none')
            dlls = [n for n in names if n.startswith('lib/') and n.endswith('.dll')]
            if not any(n.startswith('tools/') for n in names):  # a .NET tool has no library to document
                check(f'{package}: XML docs beside each dll', bool(dlls) and all(d[:-4] + '.xml' in names for d in dlls), names)
            dlls = dlls or [n for n in names if n.startswith('tools/') and n.endswith(f'{package}.dll')]
        if check(f'{package}: snupkg beside the nupkg', os.path.isfile(snupkg), snupkg):
            with zipfile.ZipFile(snupkg) as z:
                check(f'{package}: snupkg has the pdb', all(d[:-4] + '.pdb' in z.namelist() for d in dlls), z.namelist())


CONSUMER_CSPROJ = """<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Traceline.AspNetCore" Version="{version}" />
  </ItemGroup>
</Project>
"""

CONSUMER_PROGRAM = """var builder = WebApplication.CreateBuilder(args);
builder.Services.AddTracing(t => t.WithServiceName("package-consumer"));
builder.Services.AddHttpClient("self").AddTracingHandler();

var app = builder.Build();
app.UseTracing();
app.MapGet("/hello", () => "hello");
app.MapGet("/chain", async (IHttpClientFactory clients, HttpContext context) =>
    await clients.CreateClient("self").GetStringAsync($"http://{context.Request.Host}/hello"));
app.Run();
"""

NUGET_CONFIG = """<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="{feed}" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local"><package pattern="Traceline*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
"""


def consume(feed, ver, work):
    app = os.path.join(work, 'app')
    os.makedirs(app)
    with open(os.path.join(app, 'PackageConsumer.csproj'), 'w') as f:
        f.write(CONSUMER_CSPROJ.format(version=ver))
    with open(os.path.join(app, 'Program.cs'), 'w') as f:
        f.write(CONSUMER_PROGRAM)
    with open(os.path.join(app, 'nuget.config'), 'w') as f:
        f.write(NUGET_CONFIG.format(feed=feed))
    env = dict(os.environ, NUGET_PACKAGES=os.path.join(work, 'nuget-cache'))  # never a stale package
    build = subprocess.run(['dotnet', 'build', app, '-c', 'Release', '-warnaserror'], capture_output=True, text=True, env=env)
    if not check('consumer: restores the packages by version and builds with warnings as errors',
                 build.returncode == 0, build.stdout[-3000:] + build.stderr[-1000:]):
        return
    restored = os.path.isdir(os.path.join(work, 'nuget-cache', 'traceline.aspnetcore', ver))
    check('consumer: Traceline.AspNetCore came from the local feed into its own cache', restored)

    dll = os.path.join(app, 'bin', 'Release', 'net10.0', 'PackageConsumer.dll')
    out_path = os.path.join(work, 'stdout.txt')
    with open(out_path, 'w') as out:
        proc = subprocess.Popen(['dotnet', dll, '--urls', 'http://127.0.0.1:0', '--Tracing:Stdout:Format', 'compact'],
                                stdout=out, stderr=subprocess.STDOUT, cwd=app, env=env)
    try:
        port = None
        deadline = time.monotonic() + 60
        while port is None and time.monotonic() < deadline and proc.poll() is None:
            match = re.search(r'Now listening on: http://127\.0\.0\.1:(\d+)', open(out_path).read())
            if match:
                port = int(match.group(1))
            else:
                time.sleep(0.1)  # polling the log for a condition, with a deadline
        if not check('consumer: app listens on 127.0.0.1', port is not None, open(out_path).read()[-2000:]):
            return
        body = urllib.request.urlopen(f'http://127.0.0.1:{port}/chain', timeout=30).read().decode()
        check('consumer: /chain answers through its traced HttpClient', body == 'hello', body)
    finally:
        proc.send_signal(signal.SIGTERM)  # shutdown flushes the batch processor
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    check('consumer: app stops cleanly on SIGTERM', proc.returncode == 0, f'exit code {proc.returncode}')

    spans = []
    for line in open(out_path):
        line = line.strip()
        if line.startswith('{'):
            try:
                spans.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    whole = whole_trace(spans)
    check('consumer: a whole trace on stdout (server /chain -> client -> server /hello)', whole,
          open(out_path).read()[-3000:])


def whole_trace(spans):
    by_id = {s['SpanContext']['SpanID']: s for s in spans}
    servers = [s for s in spans if s['SpanKind'] == 2]
    roots = [s for s in servers if s['Name'].endswith('/chain') and s['Parent']['SpanID'] == '0' * 16]
    if len(roots) != 1:
        return False
    root = roots[0]
    trace = root['SpanContext']['TraceID']
    clients = [s for s in spans if s['SpanKind'] == 3 and s['Parent']['SpanID'] == root['SpanContext']['SpanID']]
    inner = [s for s in servers if s['Name'].endswith('/hello') and clients
             and s['Parent']['SpanID'] == clients[0]['SpanContext']['SpanID']]
    same_trace = all(s['SpanContext']['TraceID'] == trace for s in [root] + clients + inner)
    service = all(any(a.get('Key') == 'service.name' and a.get('Value', {}).get('Value') == 'package-consumer'
                      for a in s.get('Resource', [])) for s in [root] + clients + inner)
    return len(clients) == 1 and len(inner) == 1 and same_trace and service and len(by_id) == len(spans)


def tool(feed, ver, work):
    tools = os.path.join(work, 'tools')
    env = dict(os.environ, NUGET_PACKAGES=os.path.join(work, 'nuget-cache-tool'))
    config = os.path.join(work, 'tool-nuget.config')
    with open(config, 'w') as f:
        f.write(NUGET_CONFIG.format(feed=feed))
    install = subprocess.run(['dotnet', 'tool', 'install', 'Traceline.Cli', '--version', ver, '--tool-path', tools,
                              '--configfile', config], capture_output=True, text=True, env=env)
    if not check('tool: dotnet tool install --tool-path from the local feed', install.returncode == 0,
                 install.stdout[-2000:] + install.stderr[-1000:]):
        return
    exe = os.path.join(tools, 'traceline')
    inputs = os.path.join(ROOT, 'test', 'Traceline.Cli.Tests', 'Inputs')
    whole = subprocess.run([exe, 'view', '--no-color', os.path.join(inputs, 'go-frontend.log'), os.path.join(inputs, 'go-backend.log')],
                           capture_output=True, text=True, timeout=120)
    check('tool: traceline view prints the Go services\' trace whole, exit code 0',
          whole.returncode == 0 and 'whole: one root, every parent recorded' in whole.stdout
          and '1 trace(s) shown, 0 broken; 4 span(s) read' in whole.stdout, whole.stdout[-2000:] + whole.stderr[-1000:])
    split = subprocess.run([exe, 'view', '--no-color', os.path.join(inputs, 'traceline-compact-split.log')],
                           capture_output=True, text=True, timeout=120)
    check('tool: traceline view diagnoses the split demo log, exit code 1',
          split.returncode == 1 and 'BROKEN: split: baz-service' in split.stdout, split.stdout[-2000:] + split.stderr[-1000:])


def main():
    work = tempfile.mkdtemp(prefix='traceline-package-check-')
    try:
        feed = os.path.join(work, 'feed')
        ver = version()
        pack(feed)
        inspect(feed, ver, git_head())
        consume(feed, ver, work)
        tool(feed, ver, work)
    except Exception as e:  # a crash of the check itself is a failure, never a silent pass
        check('package-check ran to the end', False, repr(e))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    passed, failed = results.count(True), results.count(False)
    print(f'package-check: {passed} passed, {failed} failed')
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
