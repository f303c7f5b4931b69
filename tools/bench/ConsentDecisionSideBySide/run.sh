#!/usr/bin/env bash
# The use check's in-process decision, this tree against a baseline commit (default 20d5370, before ADR 0014), side
# by side in one process: the same 10,000 patients, 50 approvals and 200,000 picks, in alternating rounds. The
# baseline side does what CheckUse did then (the application picked the use's setting and the approval, then called
# UseCheck.Evaluate); this side hands the trust's approvals to UseCheck.Evaluate. Prints p50/p99/mean per check, bytes
# allocated per round, and the ratios.  Usage: tools/bench/ConsentDecisionSideBySide/run.sh [baseline-commit]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
rev="${1:-20d5370}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/baseline" "$work/bench"
for f in $(git -C "$root" ls-tree --name-only "$rev" services/consent/Consent.Domain/ | grep '\.cs$'); do
  git -C "$root" show "$rev:$f" > "$work/baseline/$(basename "$f")"
done
cat > "$work/baseline/Baseline.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings>
    <AssemblyName>Consent.Domain.Baseline</AssemblyName><RootNamespace>Platform.Consent.Domain</RootNamespace>
    <InvariantGlobalization>true</InvariantGlobalization><NoWarn>\$(NoWarn);CS1591</NoWarn>
  </PropertyGroup>
  <ItemGroup><ProjectReference Include="$root/building-blocks/Platform.Domain/Platform.Domain.csproj" /></ItemGroup>
</Project>
XML
cat > "$work/bench/Bench.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings>
    <InvariantGlobalization>true</InvariantGlobalization>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="../baseline/Baseline.csproj" Aliases="baseline" />
    <ProjectReference Include="$root/services/consent/Consent.Domain/Consent.Domain.csproj" />
  </ItemGroup>
</Project>
XML
cp "$here/Program.cs.txt" "$work/bench/Program.cs"
python3 "$here/generate.py" "$here/Scenarios.template" "$work/bench"
dotnet build -c Release "$work/bench/Bench.csproj" -v quiet -nologo >/dev/null
echo "baseline $rev, this tree $(git -C "$root" rev-parse --short HEAD)"
dotnet "$work/bench/bin/Release/net10.0/Bench.dll"
