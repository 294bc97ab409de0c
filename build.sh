#!/usr/bin/env bash
# Bootstraps Cake (a local dotnet tool, pinned in .config/dotnet-tools.json) and runs build.cake.
#   ./build.sh                      # Test: build, install nginx if needed, run every test
#   ./build.sh --target=RenderExamples
set -euo pipefail
cd "$(dirname "$0")"
dotnet tool restore >/dev/null
exec dotnet cake build.cake "$@"
