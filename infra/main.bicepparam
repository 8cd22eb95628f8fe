// Example parameters: copy, edit, and pass with `az deployment group create --parameters infra/main.bicepparam`.
// Every parameter not set here keeps the default documented in main.bicep.
using 'main.bicep'

param namePrefix = 'astro'
param registryName = 'astroregistry'
param functionsImageTag = '0.1.0'
param trainerImageTag = 'cuda-0.1.0'
param trainerWorkloadProfileType = 'Consumption-GPU-NC8as-T4'
param retrainingSchedule = '0 0 3 * * 0'
// The function host on Microsoft.Azure.WebJobs.Extensions.Storage 4.0.2 reads a connection string (docs/deployment.md).
param storageConnectionMode = 'connectionString'
// Secret: read from the environment at deployment time (export ASTRO_FUNCTION_KEY=$(openssl rand -hex 24)).
param functionKey = readEnvironmentVariable('ASTRO_FUNCTION_KEY')
