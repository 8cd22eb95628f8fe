// The compute: a Container Apps environment with a consumption profile (the function host) and, for the trainer, a
// serverless GPU profile (or plain consumption when no GPU quota is at hand); the function host as a container app
// scaled by KEDA on the work queues; the trainer as an event-driven Container Apps job started by training-jobs.
// The KEDA scalers always authenticate with the user-assigned managed identities; the apps do too in identity mode.

@description('Azure region.')
param location string

@description('Name prefix for the resources.')
param namePrefix string

@description('Resource tags.')
param tags object = {}

@description('Log Analytics workspace that receives the environment\'s console and system logs.')
param workspaceId string

@description('Application Insights resource whose connection string the apps receive (as a secret).')
param appInsightsName string

@description('Storage account name.')
param storageAccountName string

@description('How the apps authenticate to storage: managed identity (identity-based connection settings), or an account-key connection string kept as a Container Apps secret (for hosts whose storage bindings cannot use identities).')
@allowed([
  'identity'
  'connectionString'
])
param storageConnectionMode string = 'identity'

@description('Registry login server the images come from; empty for public images.')
param registryServer string = ''

@description('Function host image (repository:tag, prefixed with registryServer when set).')
param functionsImage string

@description('Trainer image (repository:tag, prefixed with registryServer when set).')
param trainerImage string

@description('User-assigned identity of the function host: resource ID and client ID.')
param functionsIdentity { id: string, clientId: string }

@description('User-assigned identity of the trainer: resource ID and client ID.')
param trainerIdentity { id: string, clientId: string }

@description('Workload profile type of the trainer job. The serverless GPU types need GPU quota in the region; Consumption runs the trainer on CPU.')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
  'Consumption'
])
param trainerWorkloadProfileType string = 'Consumption-GPU-NC8as-T4'

@description('Fewest function host replicas. At least 1 keeps the retraining timer and the model-published listener alive.')
@minValue(0)
@maxValue(30)
param functionsMinReplicas int = 1

@description('Most function host replicas.')
@minValue(1)
@maxValue(300)
param functionsMaxReplicas int = 10

@description('Messages per replica the queue scalers aim for (catalog-chunks and blob-events).')
@minValue(1)
param queueMessagesPerReplica int = 16

@description('Concurrent HTTP requests per replica before the HTTP scaler adds one.')
@minValue(1)
param httpConcurrentRequests int = 50

@description('The function key the keyed HTTP functions require (x-functions-key header or code query); at least 16 characters.')
@secure()
@minLength(16)
param functionKey string

@description('Six-field NCRONTAB expression (seconds first, UTC) of scheduled retraining, read by the host\'s timer (Astro:Training:Schedule).')
param retrainingSchedule string

@description('Most trainer executions at once (each takes one GPU).')
@minValue(1)
@maxValue(10)
param trainerMaxExecutions int = 1

@description('Longest a trainer execution may run, in seconds.')
@minValue(600)
param trainerReplicaTimeoutSeconds int = 14400

@description('Arguments of the trainer container (the `astro` command line).')
param trainerArgs string[] = [
  'worker'
  '--device'
  'cuda'
  '--once'
]

@description('Queue names the function host scales on (catalog fan-out and Event Grid blob events).')
param functionsScaleQueues string[]

@description('Queue the trainer job is started by.')
param trainingJobsQueue string

var gpuProfileName = 'gpu'
var usesGpu = trainerWorkloadProfileType != 'Consumption'
var trainerProfileName = usesGpu ? gpuProfileName : 'Consumption'

// Each serverless GPU profile gives a replica a whole GPU with these CPU and memory limits.
var trainerResources = {
  'Consumption-GPU-NC8as-T4': { cpu: json('8.0'), memory: '56Gi' }
  'Consumption-GPU-NC24-A100': { cpu: json('24.0'), memory: '220Gi' }
  Consumption: { cpu: json('4.0'), memory: '8Gi' }
}

var workloadProfiles = concat(
  [
    {
      name: 'Consumption'
      workloadProfileType: 'Consumption'
    }
  ],
  usesGpu
    ? [
        {
          name: gpuProfileName
          workloadProfileType: trainerWorkloadProfileType
        }
      ]
    : []
)

var registries = empty(registryServer)
  ? []
  : [
      {
        server: registryServer
        identity: functionsIdentity.id
      }
    ]

var trainerRegistries = empty(registryServer)
  ? []
  : [
      {
        server: registryServer
        identity: trainerIdentity.id
      }
    ]

var imagePrefix = empty(registryServer) ? '' : '${registryServer}/'

// The port the host's Kestrel adapter listens on (Astro:Http:Port), the ingress target and the probes' port.
var httpPort = 8080

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

// Secrets: the Application Insights connection string (not a credential, but kept out of plain settings) and, only in
// connectionString mode, the storage connection string.
var appInsightsSecret = {
  name: 'appinsights-connection-string'
  value: appInsights.properties.ConnectionString
}

var storageSecrets = storageConnectionMode == 'connectionString'
  ? [
      {
        name: 'storage-connection-string'
        value: 'DefaultEndpointsProtocol=https;AccountName=${account.name};AccountKey=${account.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
      }
    ]
  : []

func storageSettings(mode string, accountName string, clientId string) object[] =>
  mode == 'identity'
    ? [
        { name: 'AzureWebJobsStorage__accountName', value: accountName }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: clientId }
      ]
    : [
        { name: 'AzureWebJobsStorage', secretRef: 'storage-connection-string' }
      ]

var commonSettings = [
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', secretRef: appInsightsSecret.name }
  { name: 'DOTNET_ENVIRONMENT', value: 'Production' }
]

resource appEnvironment 'Microsoft.App/managedEnvironments@2025-01-01' = {
  name: '${namePrefix}-env'
  location: location
  tags: tags
  properties: {
    // Logs go to Azure Monitor; the diagnostic setting below routes them to the workspace (no workspace key needed).
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    workloadProfiles: workloadProfiles
    zoneRedundant: false
  }
}

resource environmentLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: appEnvironment
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

resource functions 'Microsoft.App/containerApps@2025-01-01' = {
  name: '${namePrefix}-func'
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${functionsIdentity.id}': {}
    }
  }
  properties: {
    environmentId: appEnvironment.id
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: httpPort
        transport: 'auto'
        allowInsecure: false
      }
      registries: registries
      secrets: concat([appInsightsSecret, { name: 'function-key', value: functionKey }], storageSecrets)
    }
    template: {
      containers: [
        {
          name: 'functions'
          image: '${imagePrefix}${functionsImage}'
          resources: {
            cpu: json('1.0')
            memory: '2Gi'
          }
          env: concat(storageSettings(storageConnectionMode, account.name, functionsIdentity.clientId), commonSettings, [
            { name: 'AZURE_CLIENT_ID', value: functionsIdentity.clientId }
            { name: 'OTEL_SERVICE_NAME', value: 'astro-functions' }
            // Settings of functions/Hosting/FunctionAppSettings.cs (Astro:Section:Key as environment variables).
            { name: 'Astro__Http__Address', value: '0.0.0.0' }
            { name: 'Astro__Http__Port', value: string(httpPort) }
            { name: 'Astro__Http__FunctionKey', secretRef: 'function-key' }
            { name: 'Astro__Training__Schedule', value: retrainingSchedule }
            // Blob-created events arrive through Event Grid (blob-events queue): no container scanning by blob triggers.
            { name: 'Astro__Functions__DisableBlobTriggers', value: 'true' }
          ])
          probes: [
            {
              type: 'Liveness'
              httpGet: {
                path: '/api/health'
                port: httpPort
              }
              initialDelaySeconds: 10
              periodSeconds: 30
            }
            {
              type: 'Readiness'
              httpGet: {
                path: '/api/health'
                port: httpPort
              }
              initialDelaySeconds: 5
              periodSeconds: 10
            }
          ]
        }
      ]
      scale: {
        minReplicas: functionsMinReplicas
        maxReplicas: functionsMaxReplicas
        rules: concat(
          [
            {
              name: 'http'
              http: {
                metadata: {
                  concurrentRequests: string(httpConcurrentRequests)
                }
              }
            }
          ],
          map(functionsScaleQueues, queue => {
            name: 'queue-${queue}'
            custom: {
              type: 'azure-queue'
              metadata: {
                accountName: account.name
                queueName: queue
                queueLength: string(queueMessagesPerReplica)
                cloud: 'AzurePublicCloud'
              }
              identity: functionsIdentity.id
            }
          })
        )
      }
    }
  }
}

// An execution starts when training-jobs holds a message (KEDA polls every 30 s) and ends when the container exits:
// the worker takes the waiting job(s), trains, publishes, deletes the message and exits (it must not wait for more).
resource trainer 'Microsoft.App/jobs@2025-01-01' = {
  name: '${namePrefix}-trainer'
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${trainerIdentity.id}': {}
    }
  }
  properties: {
    environmentId: appEnvironment.id
    workloadProfileName: trainerProfileName
    configuration: {
      triggerType: 'Event'
      replicaTimeout: trainerReplicaTimeoutSeconds
      // The worker retries and poisons a failing job itself; a crashed replica is started once more.
      replicaRetryLimit: 1
      registries: trainerRegistries
      secrets: concat([appInsightsSecret], storageSecrets)
      eventTriggerConfig: {
        parallelism: 1
        replicaCompletionCount: 1
        scale: {
          minExecutions: 0
          maxExecutions: trainerMaxExecutions
          pollingInterval: 30
          rules: [
            {
              name: 'queue-${trainingJobsQueue}'
              type: 'azure-queue'
              metadata: {
                accountName: account.name
                queueName: trainingJobsQueue
                queueLength: '1'
                cloud: 'AzurePublicCloud'
              }
              identity: trainerIdentity.id
            }
          ]
        }
      }
    }
    template: {
      containers: [
        {
          name: 'trainer'
          image: '${imagePrefix}${trainerImage}'
          args: trainerArgs
          resources: trainerResources[trainerWorkloadProfileType]
          env: concat(storageSettings(storageConnectionMode, account.name, trainerIdentity.clientId), commonSettings, [
            { name: 'AZURE_CLIENT_ID', value: trainerIdentity.clientId }
            { name: 'OTEL_SERVICE_NAME', value: 'astro-trainer' }
          ])
        }
      ]
    }
  }
}

@description('Container Apps environment name.')
output environmentName string = appEnvironment.name

@description('Function host app name.')
output functionsAppName string = functions.name

@description('Public HTTPS base URL of the function host.')
output functionsUrl string = 'https://${functions.properties.configuration.ingress.fqdn}'

@description('Trainer job name.')
output trainerJobName string = trainer.name

@description('Workload profile the trainer runs on.')
output trainerWorkloadProfile string = trainerProfileName
