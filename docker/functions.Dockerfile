# syntax=docker/dockerfile:1
# The function host: the WebJobs SDK host with its ASP.NET Core (Kestrel) HTTP adapter, listening on 8080.
# Build from the repository root:  docker build -f docker/functions.Dockerfile -t astro-functions:TAG .
#                            or:  az acr build -r REGISTRY -f docker/functions.Dockerfile -t astro-functions:TAG .
# tests/Astro.Infra.Tests runs this file's `dotnet publish` line (parsed from here) on a copy of the build context.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish functions/Astro.Functions.csproj -c Release -r linux-x64 --self-contained false -p:UseAppHost=false -o /app/publish

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /app/publish ./
COPY --from=build /src/profiles ./profiles
COPY --from=build /src/host.json ./host.json
# The host's Kestrel adapter (functions/Hosting): listen on every interface, port 8080, in the container.
ENV Astro__Http__Address=0.0.0.0 \
    Astro__Http__Port=8080
EXPOSE 8080
# The .NET images' non-root user (uid 1654).
USER $APP_UID
ENTRYPOINT ["dotnet", "Astro.Functions.dll"]
