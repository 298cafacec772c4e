// A small fetch wrapper in the style of axios: errors carry the request config.
export class HttpError extends Error {
  /**
   * @param {string} message
   * @param {number} status
   * @param {{ url: string, transformResponse: ((text: string) => unknown)[] }} config
   */
  constructor(message, status, config) {
    super(message);
    this.status = status;
    this.config = config;
  }
}

/** @param {number} id @returns {Promise<{ id: number, name: string }>} */
export async function fetchProfile(id) {
  const config = { url: `/profiles/${id}`, transformResponse: [(text) => JSON.parse(text)] };
  const res = await fetch(`https://api.example.test${config.url}`);
  if (!res.ok) throw new HttpError(`GET ${config.url} failed`, res.status, config);
  return config.transformResponse[0](await res.text());
}
