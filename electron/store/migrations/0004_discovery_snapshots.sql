CREATE TABLE `discovery_snapshots` (
	`server_id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`reachable` integer NOT NULL,
	`error` text,
	`containers_json` text NOT NULL,
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE cascade
);
