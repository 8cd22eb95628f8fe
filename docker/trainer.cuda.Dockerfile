# syntax=docker/dockerfile:1
# The trainer on a GPU (Container Apps serverless GPU: NVIDIA T4 or A100): the CUDA 12.8 + cuDNN runtime with the
# .NET 10 runtime copied in, and TorchSharp's CUDA LibTorch package in place of libtorch-cpu-linux-x64.
#
# The LibTorch package is chosen by the LIBTORCH_PACKAGE / LIBTORCH_VERSION build args: docker/LibTorchPackage.targets
# (imported into every project through CustomAfterMicrosoftCommonTargets) swaps the libtorch-cpu-linux-x64 reference of
# whichever project has one (shared/Astro.Ml) for that package, so no project file changes.
#
# NOT BUILDABLE IN THE DEVELOPMENT SANDBOX: no CUDA LibTorch NuGet package (libtorch-cuda-12.8-linux-x64) is served
# there and no Docker engine runs. Build it in Azure (az acr build) or on a machine with nuget.org access. The tests
# check what can be checked here: the publish line matches the CPU image's, and the swap selects the CUDA package.
#
# Build from the repository root:
#   az acr build -r REGISTRY -f docker/trainer.cuda.Dockerfile -t astro-trainer:cuda .

ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG LIBTORCH_PACKAGE=libtorch-cuda-12.8-linux-x64
ARG LIBTORCH_VERSION=2.10.0
WORKDIR /src
COPY . .
RUN dotnet publish trainer/Astro.Trainer.csproj -c Release -r linux-x64 --self-contained false -p:UseAppHost=false -o /app/publish -p:CustomAfterMicrosoftCommonTargets=/src/docker/LibTorchPackage.targets -p:LibTorchPackage=${LIBTORCH_PACKAGE} -p:LibTorchVersion=${LIBTORCH_VERSION}

# The .NET runtime, taken from Microsoft's image (same Ubuntu 24.04 base as the CUDA image).
FROM mcr.microsoft.com/dotnet/runtime:10.0 AS dotnet

FROM ${CUDA_IMAGE} AS final
# What the .NET runtime needs on Ubuntu 24.04 (ICU is not: the projects use invariant globalization), TLS roots for
# Azure, and OpenMP for LightGBM.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3t64 zlib1g libgomp1 tzdata \
    && rm -rf /var/lib/apt/lists/*
COPY --from=dotnet /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
    && groupadd --gid 1654 app \
    && useradd --uid 1654 --gid 1654 --no-create-home --shell /usr/sbin/nologin app
ENV DOTNET_ROOT=/usr/share/dotnet \
    DOTNET_RUNNING_IN_CONTAINER=true \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
WORKDIR /app
COPY --from=build /app/publish ./
COPY --from=build /src/profiles ./profiles
USER 1654
ENTRYPOINT ["dotnet", "astro.dll"]
CMD ["worker", "--device", "cuda", "--once"]
