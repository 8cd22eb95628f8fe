// The storage account of the app: the six containers and the four queues with their -poison twins (the names the
// function app and the trainer use by default, see shared/Astro.Services/Storage/StorageLayoutOptions.cs).

@description('Azure region.')
param location string

@description('Storage account name (3-24 lowercase letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Replication SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
])
param skuName string = 'Standard_LRS'

@description('Allow shared-key (account key and SAS) authorization. Off when every client authenticates with Microsoft Entra ID.')
param allowSharedKeyAccess bool = false

@description('Blob containers to create.')
param containerNames string[]

@description('Queues to create (the -poison twins are added here).')
param queueNames string[]

@description('Days deleted blobs and containers are kept for recovery.')
@minValue(1)
@maxValue(365)
param softDeleteDays int = 7

@description('Resource tags.')
param tags object = {}

var allQueueNames = flatten(map(queueNames, q => [q, '${q}-poison']))

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: allowSharedKeyAccess
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled'
    encryption: {
      keySource: 'Microsoft.Storage'
      services: {
        blob: {
          enabled: true
        }
        queue: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    // Versions keep every overwritten `current` pointer and model file, so a bad publish can be undone.
    isVersioningEnabled: true
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = [
  for container in containerNames: {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' = [
  for queue in allQueueNames: {
    parent: queueService
    name: queue
  }
]

@description('Storage account name.')
output name string = account.name

@description('Storage account resource ID.')
output id string = account.id

@description('Blob endpoint.')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Queue endpoint.')
output queueEndpoint string = account.properties.primaryEndpoints.queue

@description('Every queue created, poison twins included.')
output queueNames string[] = allQueueNames
