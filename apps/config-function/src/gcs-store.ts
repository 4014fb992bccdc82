import type { Storage } from '@google-cloud/storage';
import { httpStatus } from '@vigie/log';
import { classify } from './errors.js';
import type { ObjectStore } from './ports.js';

/** Cloud Storage (or fake-gcs-server) as the function's {@link ObjectStore}. */
export function createGcsObjectStore(storage: Storage): ObjectStore {
  return {
    async read(bucket, name, generation) {
      try {
        const [content] = await storage.bucket(bucket).file(name, { generation }).download();
        return new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
      } catch (error) {
        if (httpStatus(error) === 404) return undefined;
        throw classify(error, `reading gs://${bucket}/${name}#${generation}`);
      }
    },
    async currentGeneration(bucket, name) {
      try {
        const [metadata] = await storage.bucket(bucket).file(name).getMetadata();
        return metadata.generation === undefined ? undefined : String(metadata.generation);
      } catch (error) {
        if (httpStatus(error) === 404) return undefined;
        throw classify(error, `reading the metadata of gs://${bucket}/${name}`);
      }
    },
    async write(bucket, name, content, contentType) {
      try {
        await storage.bucket(bucket).file(name).save(content, { contentType, resumable: false });
      } catch (error) {
        throw classify(error, `writing gs://${bucket}/${name}`);
      }
    },
    async remove(bucket, name) {
      try {
        await storage.bucket(bucket).file(name).delete({ ignoreNotFound: true });
      } catch (error) {
        throw classify(error, `deleting gs://${bucket}/${name}`);
      }
    },
  };
}
