package web

// AdminRoleMismatches compares the administration pages' roles with the
// admin API's role table, for TestAdminPagesFollowAPIRoles.
var AdminRoleMismatches = adminRoleMismatches
