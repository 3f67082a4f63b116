import { authRoutes } from "./handlers/auth";
import { csrRoutes } from "./handlers/csr";
import { infoRoutes } from "./handlers/info";
import { managementRoutes } from "./handlers/management";
import { passwordRoutes } from "./handlers/passwords";
import { privateKeyRoutes } from "./handlers/privateKeys";
import { transactionRoutes } from "./handlers/transaction";
import { trustStoreRoutes } from "./handlers/trustStores";
import { userRoutes } from "./handlers/users";
import { x509Routes } from "./handlers/x509";
import { Router } from "./http/router";

export function buildRouter(): Router {
  return new Router([
    ...authRoutes,
    ...infoRoutes,
    ...transactionRoutes,
    ...passwordRoutes,
    ...privateKeyRoutes,
    ...x509Routes,
    ...managementRoutes,
    ...userRoutes,
    ...trustStoreRoutes,
    ...csrRoutes,
  ]);
}
