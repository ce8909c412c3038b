/**
 * Placeholder for the xsi module, filled by its issue.
 *
 * @module
 */

export {};
