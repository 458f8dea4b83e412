// Medusa's scaffolded setup: MikroORM keeps entity metadata in a global that must not leak
// between suites that boot the application.
const { MetadataStorage } = require("@medusajs/framework/mikro-orm/core")

MetadataStorage.clear()
