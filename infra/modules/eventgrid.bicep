// Blob-created events of the incoming containers, delivered by Event Grid into a storage queue. The system topic
// delivers with its own managed identity (Storage Queue Data Message Sender on that one queue), so the account can
// keep shared-key access disabled.

@description('Azure region (the storage account\'s).')
param location string

@description('Name prefix for the resources.')
param namePrefix string

@description('Name of the storage account that raises the events and holds the destination queue.')
param storageAccountName string

@description('Containers whose BlobCreated events are delivered.')
param containerNames string[]

@description('Destination queue.')
param queueName string

@description('Resource tags.')
param tags object = {}

var storageQueueDataMessageSender = 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName

  resource queueService 'queueServices' existing = {
    name: 'default'

    resource queue 'queues' existing = {
      name: queueName
    }
  }
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: '${namePrefix}-storage-events'
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: account.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource topicCanSend 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account::queueService::queue.id, topic.id, storageQueueDataMessageSender)
  scope: account::queueService::queue
  properties: {
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataMessageSender)
    description: 'Event Grid system topic delivers blob-created events to ${queueName}.'
  }
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: 'blob-created-to-${queueName}'
  dependsOn: [
    topicCanSend
  ]
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    deliveryWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: account.id
          queueName: queueName
          // Never expire: an event that waits in the queue is still an input to process.
          queueMessageTimeToLiveInSeconds: -1
        }
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      enableAdvancedFilteringOnArrays: true
      advancedFilters: [
        {
          operatorType: 'StringBeginsWith'
          key: 'subject'
          values: [for container in containerNames: '/blobServices/default/containers/${container}/']
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

@description('System topic name.')
output topicName string = topic.name

@description('Event subscription name.')
output subscriptionName string = subscription.name
