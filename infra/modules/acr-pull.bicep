// AcrPull for a managed identity on an existing container registry (deployed into the registry's resource group).

import { roleIds } from 'role-ids.bicep'

@description('Name of the existing container registry.')
param registryName string

@description('Object IDs of the principals that pull images.')
param principalIds string[]

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' existing = {
  name: registryName
}

resource pull 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in principalIds: {
    name: guid(registry.id, principalId, roleIds.acrPull)
    scope: registry
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.acrPull)
      description: 'Pull the astro images.'
    }
  }
]

@description('Registry login server.')
output loginServer string = registry.properties.loginServer
