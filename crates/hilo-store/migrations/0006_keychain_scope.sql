-- Account secrets live in the OS keychain, which every workspace on the desktop shares.
-- Each cache gets a random scope so two workspaces with an account of the same name
-- never read or overwrite each other's token (see hilo_core::secrets::AccountKeys).
INSERT OR IGNORE INTO settings (key, value)
VALUES ('keychain.scope', json_quote(lower(hex(randomblob(16)))));
