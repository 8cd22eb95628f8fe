// Astro on Azure: storage (containers, queues, Event Grid blob events), monitoring, the function host on Azure
// Container Apps (KEDA queue scaling) and the trainer as an event-driven Container Apps job on a GPU workload profile.
// Deploy into a resource group: see docs/deployment.md.

targetScope = 'resourceGroup'

import { roleIds } from 'modules/role-ids.bicep'

@description('Azure region of every resource. Serverless GPUs are offered in a few regions only (docs/deployment.md).')
param location string = resourceGroup().location

@description('Prefix of every resource name (lowercase letters, digits, hyphens).')
@minLength(3)
@maxLength(16)
param namePrefix string = 'astro'

@description('Resource tags.')
param tags object = {
  app: 'astro'
}

@description('Storage replication SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
])
param storageSku string = 'Standard_LRS'

@description('How the apps authenticate to storage. identity: managed identities and identity-based connection settings, shared-key access disabled on the account. connectionString: an account-key connection string kept as a Container Apps secret and shared-key access enabled, for a function host whose storage bindings cannot use identities (see docs/deployment.md).')
@allowed([
  'identity'
  'connectionString'
])
param storageConnectionMode string = 'identity'

@description('Name of an existing Azure Container Registry holding the images; empty to use public images named in full by the repository parameters.')
param registryName string = ''

@description('Resource group of that registry.')
param registryResourceGroupName string = resourceGroup().name

@description('Repository of the function host image (docker/functions.Dockerfile).')
param functionsImageRepository string = 'astro-functions'

@description('Tag of the function host image.')
param functionsImageTag string = 'latest'

@description('Repository of the trainer image (docker/trainer.cuda.Dockerfile on a GPU profile, docker/trainer.cpu.Dockerfile on Consumption).')
param trainerImageRepository string = 'astro-trainer'

@description('Tag of the trainer image; empty picks "cuda" on a GPU profile and "cpu" on Consumption.')
param trainerImageTag string = ''

@description('Workload profile of the trainer job: a serverless GPU (needs quota) or Consumption (CPU).')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
  'Consumption'
])
param trainerWorkloadProfileType string = 'Consumption-GPU-NC8as-T4'

@description('The function key of the keyed HTTP endpoints (x-functions-key header or code query), at least 16 characters. Kept as a Container Apps secret.')
@secure()
@minLength(16)
param functionKey string

@description('Scheduled retraining: six-field NCRONTAB (second minute hour day month weekday, UTC) for the function host\'s timer (Astro:Training:Schedule). Default: Sundays 03:00.')
param retrainingSchedule string = '0 0 3 * * 0'

@description('Fewest function host replicas (at least 1 keeps the timer and the model-published listener running).')
@minValue(0)
@maxValue(30)
param functionsMinReplicas int = 1

@description('Most function host replicas.')
@minValue(1)
@maxValue(300)
param functionsMaxReplicas int = 10

@description('Messages per replica the queue scalers aim for.')
@minValue(1)
param queueMessagesPerReplica int = 16

@description('Most trainer executions at once.')
@minValue(1)
@maxValue(10)
param trainerMaxExecutions int = 1

@description('Longest a trainer execution may run, in seconds.')
@minValue(600)
param trainerReplicaTimeoutSeconds int = 14400

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Object ID of a person or group that operates the app (uploads models, replays queues); gets blob and queue data roles on the account. Empty: none.')
param operatorPrincipalId string = ''

@description('Principal type of operatorPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param operatorPrincipalType string = 'User'

// The storage layout (defaults of shared/Astro.Services/Storage/StorageLayoutOptions.cs).
var containers = {
  cutouts: 'cutouts'
  catalogs: 'catalogs'
  predictions: 'predictions'
  models: 'models'
  trainingData: 'training-data'
  quarantine: 'quarantine'
}
var queues = {
  catalogChunks: 'catalog-chunks'
  trainingJobs: 'training-jobs'
  modelPublished: 'model-published'
  blobEvents: 'blob-events'
}

var usesGpu = trainerWorkloadProfileType != 'Consumption'
var effectiveTrainerTag = empty(trainerImageTag) ? (usesGpu ? 'cuda' : 'cpu') : trainerImageTag
var storageAccountName = take('${toLower(replace(namePrefix, '-', ''))}${uniqueString(resourceGroup().id)}', 24)

resource functionsIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${namePrefix}-func-id'
  location: location
  tags: tags
}

resource trainerIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${namePrefix}-trainer-id'
  location: location
  tags: tags
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: storageAccountName
    skuName: storageSku
    allowSharedKeyAccess: storageConnectionMode == 'connectionString'
    containerNames: map(items(containers), c => c.value)
    queueNames: map(items(queues), q => q.value)
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    namePrefix: namePrefix
    retentionInDays: logRetentionInDays
    tags: tags
  }
}

module blobEvents 'modules/eventgrid.bicep' = {
  name: 'blob-events'
  params: {
    location: location
    namePrefix: namePrefix
    storageAccountName: storage.outputs.name
    containerNames: [
      containers.cutouts
      containers.catalogs
    ]
    queueName: queues.blobEvents
    tags: tags
  }
}

// The function host: the WebJobs SDK keeps its own blobs (azure-webjobs-hosts: locks, timer state, blob receipts) and
// queues (blob-trigger bookkeeping) and reads or writes every app container and queue, so it gets the data
// contributor roles on the account (not Owner: it manages no ACLs).
module functionsRoles 'modules/storage-roles.bicep' = {
  name: 'functions-storage-roles'
  params: {
    storageAccountName: storage.outputs.name
    principalId: functionsIdentity.properties.principalId
    purpose: 'astro function host'
    accountRoles: [
      roleIds.storageBlobDataContributor
      roleIds.storageQueueDataContributor
    ]
  }
}

// The trainer: reads training data, publishes models, consumes training jobs (it renews a job's visibility while
// training, which Update Message needs: Queue Data Contributor on that one queue), poisons failed jobs and announces
// new models (add-only on those two queues).
module trainerRoles 'modules/storage-roles.bicep' = {
  name: 'trainer-storage-roles'
  params: {
    storageAccountName: storage.outputs.name
    principalId: trainerIdentity.properties.principalId
    purpose: 'astro trainer'
    containerRoles: [
      { container: containers.trainingData, roleId: roleIds.storageBlobDataReader }
      { container: containers.models, roleId: roleIds.storageBlobDataContributor }
    ]
    queueRoles: [
      { queue: queues.trainingJobs, roleId: roleIds.storageQueueDataContributor }
      { queue: '${queues.trainingJobs}-poison', roleId: roleIds.storageQueueDataMessageSender }
      { queue: queues.modelPublished, roleId: roleIds.storageQueueDataMessageSender }
    ]
  }
}

module operatorRoles 'modules/storage-roles.bicep' = if (!empty(operatorPrincipalId)) {
  name: 'operator-storage-roles'
  params: {
    storageAccountName: storage.outputs.name
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    purpose: 'astro operator'
    accountRoles: [
      roleIds.storageBlobDataContributor
      roleIds.storageQueueDataContributor
    ]
  }
}

module registryPull 'modules/acr-pull.bicep' = if (!empty(registryName)) {
  name: 'registry-pull'
  scope: resourceGroup(registryResourceGroupName)
  params: {
    registryName: registryName
    principalIds: [
      functionsIdentity.properties.principalId
      trainerIdentity.properties.principalId
    ]
  }
}

module compute 'modules/container-apps.bicep' = {
  name: 'container-apps'
  dependsOn: [
    functionsRoles
    trainerRoles
  ]
  params: {
    location: location
    namePrefix: namePrefix
    tags: tags
    workspaceId: monitoring.outputs.workspaceId
    appInsightsName: monitoring.outputs.appInsightsName
    storageAccountName: storage.outputs.name
    storageConnectionMode: storageConnectionMode
    registryServer: registryPull.?outputs.loginServer ?? ''
    functionsImage: '${functionsImageRepository}:${functionsImageTag}'
    trainerImage: '${trainerImageRepository}:${effectiveTrainerTag}'
    functionsIdentity: {
      id: functionsIdentity.id
      clientId: functionsIdentity.properties.clientId
    }
    trainerIdentity: {
      id: trainerIdentity.id
      clientId: trainerIdentity.properties.clientId
    }
    trainerWorkloadProfileType: trainerWorkloadProfileType
    functionsMinReplicas: functionsMinReplicas
    functionsMaxReplicas: functionsMaxReplicas
    queueMessagesPerReplica: queueMessagesPerReplica
    retrainingSchedule: retrainingSchedule
    functionKey: functionKey
    trainerMaxExecutions: trainerMaxExecutions
    trainerReplicaTimeoutSeconds: trainerReplicaTimeoutSeconds
    // A job execution takes the waiting training jobs and exits (--once), so the execution ends.
    trainerArgs: [
      'worker'
      '--device'
      usesGpu ? 'cuda' : 'cpu'
      '--once'
    ]
    functionsScaleQueues: [
      queues.catalogChunks
      queues.blobEvents
    ]
    trainingJobsQueue: queues.trainingJobs
  }
}

@description('Storage account name.')
output storageAccountName string = storage.outputs.name

@description('Blob endpoint.')
output blobEndpoint string = storage.outputs.blobEndpoint

@description('Queue endpoint.')
output queueEndpoint string = storage.outputs.queueEndpoint

@description('Public HTTPS base URL of the function host (GET {url}/api/health).')
output functionsUrl string = compute.outputs.functionsUrl

@description('Function host container app name.')
output functionsAppName string = compute.outputs.functionsAppName

@description('Trainer Container Apps job name.')
output trainerJobName string = compute.outputs.trainerJobName

@description('Workload profile the trainer runs on.')
output trainerWorkloadProfile string = compute.outputs.trainerWorkloadProfile

@description('Container Apps environment name.')
output environmentName string = compute.outputs.environmentName

@description('Application Insights name.')
output appInsightsName string = monitoring.outputs.appInsightsName

@description('Log Analytics workspace name.')
output logAnalyticsWorkspaceName string = monitoring.outputs.workspaceName

@description('Event Grid system topic name.')
output eventGridTopicName string = blobEvents.outputs.topicName

@description('Client ID of the function host identity.')
output functionsIdentityClientId string = functionsIdentity.properties.clientId

@description('Client ID of the trainer identity.')
output trainerIdentityClientId string = trainerIdentity.properties.clientId
