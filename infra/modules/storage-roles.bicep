// Data-plane role assignments of one principal on the storage account, on single containers and on single queues.

@description('Storage account name.')
param storageAccountName string

@description('Object ID of the principal (a managed identity\'s principalId).')
param principalId string

@description('Principal type of principalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string = 'ServicePrincipal'

@description('What the roles are for, written into each assignment\'s description.')
param purpose string

@description('Role definition IDs assigned on the whole account.')
param accountRoles string[] = []

@description('Role definition IDs assigned on single containers.')
param containerRoles { container: string, roleId: string }[] = []

@description('Role definition IDs assigned on single queues.')
param queueRoles { queue: string, roleId: string }[] = []

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'
  }

  resource queueService 'queueServices' existing = {
    name: 'default'
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = [
  for item in containerRoles: {
    parent: account::blobService
    name: item.container
  }
]

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' existing = [
  for item in queueRoles: {
    parent: account::queueService
    name: item.queue
  }
]

resource onAccount 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in accountRoles: {
    name: guid(account.id, principalId, roleId)
    scope: account
    properties: {
      principalId: principalId
      principalType: principalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      description: purpose
    }
  }
]

resource onContainer 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (item, i) in containerRoles: {
    name: guid(containers[i].id, principalId, item.roleId)
    scope: containers[i]
    properties: {
      principalId: principalId
      principalType: principalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', item.roleId)
      description: '${purpose} (container ${item.container})'
    }
  }
]

resource onQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (item, i) in queueRoles: {
    name: guid(queues[i].id, principalId, item.roleId)
    scope: queues[i]
    properties: {
      principalId: principalId
      principalType: principalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', item.roleId)
      description: '${purpose} (queue ${item.queue})'
    }
  }
]

@description('Number of role assignments made.')
output count int = length(accountRoles) + length(containerRoles) + length(queueRoles)
