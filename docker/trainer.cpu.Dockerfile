# syntax=docker/dockerfile:1
# The trainer (`astro` command line; in Azure the `worker` consuming training-jobs) on CPU: TorchSharp with
# libtorch-cpu-linux-x64 as shared/Astro.Ml references it. Runs on the Consumption workload profile.
# Build from the repository root:  docker build -f docker/trainer.cpu.Dockerfile -t astro-trainer:cpu .
# tests/Astro.Infra.Tests runs this file's `dotnet publish` line (parsed from here) on a copy of the build context and
# checks that build/TorchSharpGlibcxxFix.targets ran on the published libLibTorchSharp.so.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish trainer/Astro.Trainer.csproj -c Release -r linux-x64 --self-contained false -p:UseAppHost=false -o /app/publish

FROM mcr.microsoft.com/dotnet/runtime:10.0 AS final
# libgomp1: OpenMP runtime of LightGBM (libtorch brings its own).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/publish ./
COPY --from=build /src/profiles ./profiles
# The .NET images' non-root user (uid 1654).
USER $APP_UID
ENTRYPOINT ["dotnet", "astro.dll"]
CMD ["worker", "--device", "cpu", "--once"]
